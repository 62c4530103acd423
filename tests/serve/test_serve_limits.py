"""The service's key file and token buckets, on a clock the test moves (no web stack needed)."""

from __future__ import annotations

import threading

import pytest

from engine.serve.keys import KeyRing, add_key, read_keys, remove_key
from engine.serve.limits import Limited, RateLimiter
from engine.tomlconf import ConfigError


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_gets_exactly_the_minutes_requests_then_the_steady_rate():
    clock = Clock()
    limiter = RateLimiter(clock)
    passed, refused = [], []

    def one():
        try:
            limiter.admit("k", 30, 0, 10)
            passed.append(1)
        except Limited as exc:
            refused.append(exc.retry_after)

    threads = [threading.Thread(target=one) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(passed) == 30 and len(refused) == 70 and set(refused) == {"2"}  # 60 s / 30 a minute
    clock.now += 2.0  # one request's worth refills
    limiter.admit("k", 30, 0, 10)
    with pytest.raises(Limited):
        limiter.admit("k", 30, 0, 10)


def test_the_day_budget_reserves_max_tokens_and_takes_back_what_was_not_generated():
    clock = Clock()
    limiter = RateLimiter(clock)
    limiter.admit("k", 0, 1000, 600)
    with pytest.raises(Limited) as exc:
        limiter.admit("k", 0, 1000, 600)
    assert "spent" in str(exc.value) and int(exc.value.retry_after) > 3600
    limiter.settle("k", 600, 100)  # generated 100 of 600: 500 back
    limiter.admit("k", 0, 1000, 600)
    with pytest.raises(Limited) as exc:
        limiter.admit("k", 0, 1000, 5000)
    assert "more than the key's 1000 a day" in str(exc.value)


def test_keys_are_hashed_listed_removed_and_a_running_ring_sees_changes(tmp_path):
    path = tmp_path / "serve-keys.toml"
    ring = KeyRing(path)
    assert ring.keys == {}
    key, entry = add_key("coda", requests_per_minute=5, path=path)
    assert key.startswith("sw-") and len(key) > 40 and key not in path.read_text()
    assert ring.check(key) == entry and ring.check(key + "x") is None and ring.check(None) is None
    with pytest.raises(ValueError, match="already"):
        add_key("coda", path=path)
    with pytest.raises(ValueError, match="letters"):
        add_key("no spaces", path=path)
    assert remove_key("coda", path) and ring.check(key) is None


def test_a_broken_keys_file_names_its_line_and_key(tmp_path):
    path = tmp_path / "serve-keys.toml"
    path.write_text('[keys.coda]\nsha256 = "' + "a" * 64 + '"\nrequests_per_minute = "lots"\n')
    with pytest.raises(ConfigError) as exc:
        read_keys(path)
    assert str(exc.value).startswith(f"{path}:3: keys.coda.requests_per_minute:")
