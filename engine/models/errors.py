"""What can go wrong with a model, as exceptions whose message a writer can act on.

Every failure of the model layer is a ``ModelError``; its ``str()`` is a complete sentence
that names the model, the file or the cause and, where there is one, the fix. Config file
mistakes are ``engine.tomlconf.ConfigError`` (file:line: key: message) instead.
"""

from __future__ import annotations


class ModelError(Exception):
    """Base of every model-layer failure; the message is meant for the writer."""


class UnknownModel(ModelError):
    """The name is not in any models.toml."""


class WeightsUnavailable(ModelError):
    """The weights are not on this machine (not installed, not downloaded, offline, missing path)."""


class ChecksumMismatch(ModelError):
    """The weights file does not have the sha256 its entry promises."""


class ModelLoadError(ModelError):
    """llama.cpp could not load the file (not a GGUF file, truncated, unsupported architecture...)."""


class LoadCancelled(ModelError):
    """Loading was cancelled by the caller."""


class RemoteError(ModelError):
    """An OpenAI-compatible server failed the request; the message names the server and the cause.

    ``partial`` is the text streamed before the failure (set by the generation, which knows what
    the writer saw), ``index`` the alternative it belongs to.
    """

    retryable = False  # may the request be sent again (only ever before the first token)?

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after
        self.partial = ""
        self.index = 0


class ServerUnreachable(RemoteError):
    """Connection refused, host unknown, connect timeout."""

    retryable = True


class ServerAuthError(RemoteError):
    """401/403: the key is missing, wrong or lacks rights."""


class ModelNotServed(RemoteError):
    """The server does not serve the entry's ``served_model``."""


class ServerBusy(RemoteError):
    """429: too many requests; ``retry_after`` seconds from the server when it said."""

    retryable = True


class ServerFailed(RemoteError):
    """5xx, a malformed reply, or a read timeout."""

    retryable = True


class StreamCut(RemoteError):
    """The stream ended without its final chunk (server killed, network lost) after some text."""


class ModelCrashed(ModelError):
    """The model process died (a signal, or an exit it did not choose); the editor did not.

    ``signal`` is the signal's name ("SIGSEGV") or None for a plain exit, ``log`` llama.cpp's last
    lines, ``partial`` the text streamed before (set by the generation) and ``index`` its alternative.
    """

    def __init__(self, message: str, *, signal: str | None = None, returncode: int | None = None,
                 log: tuple[str, ...] = (), variant: str | None = None):
        super().__init__(message)
        self.signal = signal
        self.returncode = returncode
        self.log = log
        self.variant = variant
        self.partial = ""
        self.index = 0
