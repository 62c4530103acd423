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
