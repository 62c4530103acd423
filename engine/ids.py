"""Identifiers: the one generator of the ids Scenewright gives requests, suggestions,
comparisons and the client's own records (hex UUID4: 32 characters, no dashes)."""

from __future__ import annotations

import uuid

__all__ = ["new_id"]


def new_id() -> str:
    return uuid.uuid4().hex
