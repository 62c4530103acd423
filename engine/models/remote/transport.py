"""HTTP to the server: the httpx client, the API key (read at each request, never kept and
never in a message: every message passes through :func:`redact`), one small JSON request, the
failures as :mod:`engine.models.errors` sentences, and when to try again."""

from __future__ import annotations

import email.utils
import logging
import os
import time
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx

from ..errors import ModelNotServed, RemoteError, ServerAuthError, ServerBusy, ServerFailed, ServerUnreachable
from ..registry import ModelEntry
from .wire import error_text

log = logging.getLogger("scenewright.remote")

ATTEMPTS = 3  # tries before the first token (the first one and two retries)
BACKOFF_S = 0.5  # first wait; doubled each time
MAX_RETRY_AFTER_S = 30.0  # a 429 asking to wait longer is reported instead of waited out
POLL_S = 0.02  # how often a wait or a stream looks at the cancel flag

__all__ = ["ATTEMPTS", "BACKOFF_S", "MAX_RETRY_AFTER_S", "POLL_S", "api_key", "headers", "make_client",
           "redact", "request", "retry_wait", "sleep", "status_error", "transport_error"]


def make_client(entry: ModelEntry) -> httpx.Client:
    timeout = httpx.Timeout(entry.read_timeout, connect=entry.connect_timeout)
    # trust_env=False: a proxy set for the web must not catch a loopback tunnel or a LAN server
    return httpx.Client(timeout=timeout, trust_env=_is_public(entry.base_url or ""), follow_redirects=False)


def _is_public(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return not (host in ("localhost", "::1") or host.startswith("127.") or host.endswith(".local"))


def api_key(entry: ModelEntry) -> str | None:
    if not entry.api_key_env:
        return None
    return os.environ.get(entry.api_key_env) or None


def headers(entry: ModelEntry) -> dict[str, str]:
    key = api_key(entry)
    return {"Authorization": f"Bearer {key}"} if key else {}


def redact(entry: ModelEntry, message: str) -> str:
    """``message`` with the API key (if any) blanked out: keys never reach a message or a log."""
    key = api_key(entry)
    if key and len(key) >= 4:
        message = message.replace(key, "[redacted]")
    return message


def request(client: httpx.Client, entry: ModelEntry, method: str, url: str, body: dict | None,
            missing_ok: bool = False) -> Any:
    """One small JSON request; ``None`` when ``missing_ok`` and the route does not exist."""
    try:
        response = client.request(method, url, json=body, headers=headers(entry))
    except httpx.HTTPError as exc:
        raise transport_error(entry, url, exc) from None
    if response.status_code in (404, 405, 501) and missing_ok:
        return None
    if response.status_code >= 400:
        raise status_error(entry, url, response)
    try:
        return response.json()
    except ValueError:
        raise ServerFailed(redact(entry, f"the server at {entry.base_url} sent a reply that is not JSON ({url})")) from None


def transport_error(entry: ModelEntry, url: str, exc: Exception) -> RemoteError:
    where = entry.base_url
    if isinstance(exc, httpx.ConnectTimeout):
        return ServerUnreachable(f"no answer from {where} within {entry.connect_timeout:g} s (connect timeout); "
                                 "is the server (or the SSH tunnel) up?")
    if isinstance(exc, httpx.ConnectError):
        cause = str(exc) or exc.__class__.__name__
        if "refused" in cause.lower():
            cause = "connection refused"
        return ServerUnreachable(redact(entry, f"cannot reach the server at {where} ({cause}); is it running, "
                                               "and is an SSH tunnel open if it is on another machine?"))
    if isinstance(exc, httpx.ReadTimeout):
        return ServerFailed(f"the server at {where} sent nothing for {entry.read_timeout:g} s (read timeout)")
    return ServerFailed(redact(entry, f"the connection to {where} failed ({exc.__class__.__name__}: {exc})"))


def status_error(entry: ModelEntry, url: str, response: httpx.Response) -> RemoteError:
    code = response.status_code
    said = redact(entry, error_text(response))
    where = entry.base_url
    detail = f"HTTP {code}" + (f": {said}" if said else "")
    if code in (401, 403):
        if entry.api_key_env and not api_key(entry):
            hint = f"the environment variable {entry.api_key_env} (api_key_env) is not set"
        elif entry.api_key_env:
            hint = f"check the key in the environment variable {entry.api_key_env}"
        else:
            hint = "set api_key_env in models.toml to the NAME of the variable that holds the key"
        verb = "refused the API key" if code == 401 else "does not allow this key"
        return ServerAuthError(f"model {entry.name!r}: the server at {where} {verb} ({detail}); {hint}")
    if code == 404 or (code == 400 and "model" in said.lower() and ("not" in said.lower() or "exist" in said.lower())):
        if "model" in said.lower():
            return ModelNotServed(f"model {entry.name!r}: the server at {where} does not serve "
                                  f"{entry.served_model!r} ({detail}); set served_model in models.toml")
        return RemoteError(f"model {entry.name!r}: {url} does not exist on the server ({detail}); "
                           "base_url should be the OpenAI base URL, usually ending in /v1")
    if code == 429:
        wait = _retry_after(response)
        after = f"; it asks to wait {wait:g} s" if wait is not None else ""
        return ServerBusy(f"the server at {where} is busy (HTTP 429: too many requests{after})", retry_after=wait)
    if code >= 500:
        return ServerFailed(f"the server at {where} failed ({detail})")
    if code == 400 and any(w in said.lower() for w in ("context", "too long", "exceed")):
        return RemoteError(f"model {entry.name!r}: the prompt does not fit the server's context ({detail}); "
                           "lower context_length in models.toml")
    return RemoteError(f"model {entry.name!r}: the server at {where} rejected the request ({detail})")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def retry_wait(exc: RemoteError, attempt: int) -> float | None:
    """Seconds to wait before trying again, or None to give up."""
    if not exc.retryable or attempt >= ATTEMPTS:
        return None
    if isinstance(exc, ServerBusy) and exc.retry_after is not None:
        return exc.retry_after if exc.retry_after <= MAX_RETRY_AFTER_S else None
    return BACKOFF_S * (2 ** (attempt - 1))


def sleep(seconds: float, cancelled: Callable[[], bool]) -> bool:
    """Wait, watching the cancel flag; True when cancelled."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cancelled():
            return True
        time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))
    return cancelled()
