"""A bounded queue in front of each model: ``concurrency`` requests generate at once (1 for a local
model, whose llama.cpp context serves one request at a time; more for a server that batches), up to
``waiting`` more wait their turn, and the next one is refused at once (the server's 503) instead of
piling up behind a queue nobody would wait for.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator


class QueueFull(Exception):
    def __init__(self, model: str, waiting: int):
        super().__init__(f"model {model} is busy: {waiting} requests are waiting already; try again shortly")
        self.model = model


class ModelQueue:
    def __init__(self, model: str, concurrency: int = 1, waiting: int = 8):
        self.model = model
        self.concurrency = max(1, concurrency)
        self.limit = max(0, waiting)
        self._slots = asyncio.Semaphore(self.concurrency)
        self.running = 0
        self.waiting = 0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for a slot (raises ``QueueFull`` at once when too many wait already)."""
        if self.running >= self.concurrency and self.waiting >= self.limit:
            raise QueueFull(self.model, self.waiting)
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._slots.release()


class Queues:
    """One ``ModelQueue`` per model name, made on first use."""

    def __init__(self, concurrency_of, waiting: int = 8):
        self._concurrency_of = concurrency_of  # model name -> how many at once
        self.waiting = waiting
        self._queues: dict[str, ModelQueue] = {}

    def of(self, model: str) -> ModelQueue:
        queue = self._queues.get(model)
        if queue is None:
            queue = self._queues[model] = ModelQueue(model, self._concurrency_of(model), self.waiting)
        return queue

    def all(self) -> list[ModelQueue]:
        return list(self._queues.values())
