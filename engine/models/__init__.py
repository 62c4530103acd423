"""Models: the registry (models.toml), where weights come from, and the local llama.cpp backend.

Knows nothing of Fountain; ``engine.generation`` joins models and scripts.

    from engine.models import load_registry, load_model, locate, pull
    registry = load_registry()                 # ConfigError (file:line: key: message) on mistakes
    entry = registry.get()                     # the default entry; UnknownModel for a bad name
    model = load_model(entry, progress=lambda stage, fraction: ...)   # ModelError subclasses on failure
"""

from .errors import (
    ChecksumMismatch,
    LoadCancelled,
    ModelError,
    ModelLoadError,
    UnknownModel,
    WeightsUnavailable,
)
from .loader import load_model
from .registry import ModelEntry, Registry, Source, load_registry, user_registry_path
from .sources import WeightsInfo, locate, pull, resolve

__all__ = [
    "ChecksumMismatch",
    "LoadCancelled",
    "ModelEntry",
    "ModelError",
    "ModelLoadError",
    "Registry",
    "Source",
    "UnknownModel",
    "WeightsInfo",
    "WeightsUnavailable",
    "load_model",
    "load_registry",
    "locate",
    "pull",
    "resolve",
    "user_registry_path",
]
