"""Bytes on disk to the text the parser and the editor work on, and back.

The editor works on ``\\n``-separated text without a BOM; what the file had (CRLF or LF,
a UTF-8 BOM or not) is remembered so that saving writes it back the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

BOM = b"\xef\xbb\xbf"


class FountainDecodeError(ValueError):
    """The file is not UTF-8. ``offset`` is the byte offset of the first bad byte."""

    def __init__(self, offset: int, line: int, source: str = "<input>"):
        self.offset = offset
        self.line = line
        self.source = source
        super().__init__(
            f"{source}: not valid UTF-8 at byte offset {offset} (line {line}); "
            "re-save the file as UTF-8 and open it again"
        )


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str  # "\n" line endings, no BOM
    newline: str  # "\n" or "\r\n": what the file mostly used
    bom: bool

    def encode(self, text: str) -> bytes:
        """``text`` (with ``\\n`` endings) as bytes in this file's original conventions."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        data = text.encode("utf-8")
        return BOM + data if self.bom else data


def decode_script(data: bytes, source: str = "<input>") -> DecodedText:
    bom = data.startswith(BOM)
    if bom:
        data = data[len(BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(BOM) if bom else 0)
        line = data.count(b"\n", 0, exc.start) + 1
        raise FountainDecodeError(offset, line, source) from None
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return DecodedText(text, newline, bom)
