"""Per-key rate limits: two token buckets, requests per minute and generated tokens per day.

A bucket holds up to ``capacity`` and refills at ``capacity / period`` per second, so a key may burst
its whole minute at once and then goes on at the steady rate; nothing resets at midnight. A request
takes one from the request bucket, and reserves its ``max_tokens`` (times its alternatives) from the
day bucket; when it ends, what it did not generate goes back. A bucket that cannot pay answers with
the seconds until it can: the server's ``Retry-After``.

All under one lock per key, so concurrent requests are counted exactly: of N requests sent at once
to a fresh key of R requests per minute, exactly min(N, R) pass (plus what refills meanwhile).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Bucket:
    capacity: float  # 0: no limit
    period_s: float
    level: float = -1.0
    stamp: float = 0.0

    def _fill(self, now: float) -> None:
        if self.level < 0:
            self.level, self.stamp = self.capacity, now
            return
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.capacity / self.period_s)
        self.stamp = now

    def wait_for(self, amount: float, now: float) -> float:
        """0 when ``amount`` can be taken now, else the seconds until it can (inf: never)."""
        if not self.capacity:
            return 0.0
        self._fill(now)
        if amount > self.capacity:
            return math.inf
        missing = amount - self.level
        return 0.0 if missing <= 1e-9 else missing * self.period_s / self.capacity

    def take(self, amount: float) -> None:
        if self.capacity:
            self.level -= amount

    def give_back(self, amount: float, now: float) -> None:
        if self.capacity:
            self._fill(now)
            self.level = min(self.capacity, self.level + amount)


class Limited(Exception):
    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = retry_after_s

    @property
    def retry_after(self) -> str:
        """The header's value: whole seconds, at least 1."""
        return str(max(1, math.ceil(self.retry_after_s))) if math.isfinite(self.retry_after_s) else "86400"


@dataclass
class KeyLimits:
    requests: Bucket
    tokens: Bucket
    lock: threading.Lock = field(default_factory=threading.Lock)


class RateLimiter:
    """The buckets of every key, made on a key's first request from its limits."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._keys: dict[str, KeyLimits] = {}
        self._lock = threading.Lock()

    def _of(self, name: str, rpm: int, per_day: int) -> KeyLimits:
        with self._lock:
            limits = self._keys.get(name)
            if limits is None or limits.requests.capacity != rpm or limits.tokens.capacity != per_day:
                limits = self._keys[name] = KeyLimits(Bucket(rpm, 60.0), Bucket(per_day, 86_400.0))
            return limits

    def admit(self, name: str, rpm: int, per_day: int, tokens: int) -> None:
        """Take a request and reserve ``tokens``, or raise ``Limited`` (nothing taken)."""
        limits = self._of(name, rpm, per_day)
        with limits.lock:
            now = self.clock()
            wait = limits.requests.wait_for(1, now)
            if wait:
                raise Limited(f"key {name}: more than {rpm} requests a minute", wait)
            wait = limits.tokens.wait_for(tokens, now)
            if wait:
                if math.isinf(wait):
                    raise Limited(f"key {name}: this request may generate {tokens} tokens, more than the key's "
                                  f"{per_day} a day; ask for fewer", wait)
                raise Limited(f"key {name}: the day's {per_day} generated tokens are spent", wait)
            limits.requests.take(1)
            limits.tokens.take(tokens)

    def settle(self, name: str, reserved: int, used: int) -> None:
        """A request ended having generated ``used`` of its ``reserved`` tokens: the rest goes back."""
        limits = self._keys.get(name)
        if limits is None or used >= reserved:
            return
        with limits.lock:
            limits.tokens.give_back(reserved - used, self.clock())
