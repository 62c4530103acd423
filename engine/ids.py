"""Fresh identifiers: the edit log files requests, suggestions and comparisons under these."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """A fresh identifier: 32 hex digits (uuid4)."""
    return uuid.uuid4().hex
