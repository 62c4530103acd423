"""The remote backend: an OpenAI-compatible server (llama.cpp's server, vLLM, Ollama, llama_cpp.server).

Why ``httpx`` (with ``httpx-sse`` for the event stream) and not the official ``openai`` client:
the ``openai`` package is itself built on httpx, but it hides what this backend needs to reach:
llama.cpp's extra request fields (``cache_prompt``, ``top_k``, ``min_p``, ``repeat_penalty``), the
``timings`` object llama.cpp's server adds to the last chunk, the servers' tokenize endpoints
(``/extras/tokenize``, ``/tokenize``) that are not OpenAI routes, and the raw socket of a streamed
response, which cancellation shuts from another thread so that a stream stops *at once* instead
of at the next chunk. Its built-in retries also retry after the first token has been shown, which
would duplicate text. httpx gives all of that with one small, well-kept dependency (and the
``openai`` client would pull httpx in anyway).

Behaviour:

* **Connect** (``connect_remote``, the "load" of a remote entry): ``GET {base_url}/models`` checks
  that the server answers, accepts the key and serves ``served_model``; the server's tokenizer is
  probed (``POST /extras/tokenize`` on llama_cpp.server, ``POST /tokenize`` on llama.cpp's server
  and vLLM). Without one (Ollama), token counts are a conservative estimate (``estimate_tokens``).
  llama.cpp's ``/props`` and vLLM's ``max_model_len`` cap the context when they report it.
* **Streaming** over server-sent events, read in a helper thread; the consumer polls its cancel
  flag every 20 ms and, on cancel (or when it stops iterating), shuts the socket down, which ends
  the read and tells the server to stop generating.
* **Timeouts and retries**: connect and read timeouts from the entry; connection failures, 429 and
  5xx are retried with exponential backoff (429 waits for the server's ``Retry-After``) but only
  before the first token: after it, a failure ends the stream with ``StreamCut`` and the text so far
  is kept by the caller.
* **The API key** is read from the environment variable named by ``api_key_env`` at each request;
  it is never stored, logged or put in a message (every message passes through ``transport.redact``).

Modules: ``wire`` (the request and response JSON), ``transport`` (the httpx client, the key, errors,
retries), ``sse`` (reading a stream), ``tokens`` (tokenizing and counting), ``model`` (``RemoteModel``,
``connect_remote``).
"""

from .model import RemoteModel, connect_remote
from .tokens import REPROBE_S, RemoteTokenCounter, estimate_tokens, remote_token_counter
from .transport import ATTEMPTS, BACKOFF_S, MAX_RETRY_AFTER_S, make_client
from .wire import ChatPrompt

__all__ = ["ATTEMPTS", "BACKOFF_S", "ChatPrompt", "MAX_RETRY_AFTER_S", "REPROBE_S", "RemoteModel",
           "RemoteTokenCounter", "connect_remote", "estimate_tokens", "make_client", "remote_token_counter"]
