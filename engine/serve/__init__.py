"""``scenewright serve``: the co-writer as an HTTP service (FastAPI on uvicorn, the ``serve`` extra).

* ``keys``: API keys, stored hashed; ``limits``: per-key token buckets; ``queue``: a bounded queue
  in front of each model; ``metrics``: Prometheus text; ``suggest``: one request without HTTP
  (placing, steering, recording); ``app``: the routes and the middleware around them.

Only ``keys`` and ``limits`` import without the extra (``scenewright serve keys`` needs no web stack).
"""
