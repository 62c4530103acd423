"""``GET /metrics`` in Prometheus' text format, from prometheus_client (the reference client), one
registry per service so that tests and benchmarks running several see only their own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("scenewright_requests", "HTTP requests answered", ["route", "status", "key"], registry=r)
        self.latency = Histogram("scenewright_request_seconds", "Time from request to the last byte",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=r)
        self.ttft = Histogram("scenewright_time_to_first_token_seconds", "Request start to the first token",
                              ["model"], buckets=LATENCY_BUCKETS, registry=r)
        self.prompt_tokens = Counter("scenewright_prompt_tokens", "Prompt tokens read", ["model", "key"], registry=r)
        self.generated_tokens = Counter("scenewright_generated_tokens", "Tokens generated", ["model", "key"],
                                        registry=r)
        self.limited = Counter("scenewright_rate_limited", "Requests refused by a key's limits (429)", ["key"],
                               registry=r)
        self.queue_full = Counter("scenewright_queue_full", "Requests refused by a full model queue (503)",
                                  ["model"], registry=r)
        self.cancelled = Counter("scenewright_cancelled", "Generations stopped by a client that went away or "
                                 "by shutdown", ["model"], registry=r)
        self.waiting = Gauge("scenewright_queue_waiting", "Requests waiting for a model", ["model"], registry=r)
        self.running = Gauge("scenewright_queue_running", "Requests generating", ["model"], registry=r)

    def render(self, queues) -> bytes:
        for queue in queues.all():
            self.waiting.labels(queue.model).set(queue.waiting)
            self.running.labels(queue.model).set(queue.running)
        return generate_latest(self.registry)
