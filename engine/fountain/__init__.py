"""Scenewright's Fountain engine: Fountain 1.1 with positions, incremental re-parsing,
inline spans for highlighting, pagination and statistics.

Why not the PyPI ``fountain`` package: version 0.1.3 fails at import on Python 3.11 and reports
no positions; the other Python parsers report no line/column positions either, and the editor
highlights and navigates by them.
"""

from .decode import DecodedText, FountainDecodeError, decode_script
from .elements import Element, Kind, Outline, ParseResult, Span
from .live import LiveParse, location_of, parse

__all__ = [
    "DecodedText", "Element", "FountainDecodeError", "Kind", "LiveParse", "Outline",
    "ParseResult", "Span", "decode_script", "location_of", "parse",
]
