"""The one error of fine-tuning, shared by the loop (``lora``) and the GGUF conversion
(``convert``) so that neither imports the other for it."""

from __future__ import annotations

__all__ = ["TrainingError"]


class TrainingError(Exception):
    """Training cannot start or go on; the message says why and what to do."""
