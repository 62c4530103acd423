"""The page and where each element goes on it: US Letter, Courier 12 pt (10 characters and 6
lines an inch), the indents and widths of each printed kind (:class:`Format`, :class:`Layout`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..elements import Kind

__all__ = ["Format", "LETTER", "Layout"]


@dataclass(frozen=True, slots=True)
class Format:
    """Where an element's lines go: ``indent`` and ``width`` in character columns from the
    left margin; blank lines before and after; ``align`` inside the width."""

    indent: int
    width: int
    before: int = 0
    after: int = 0
    align: str = "left"  # left | center | right


@dataclass(frozen=True, slots=True)
class Layout:
    """The page: US Letter (8.5 x 11 in), Courier 12 pt at 10 characters and 6 lines an inch."""

    lines_per_page: int = 55
    columns: int = 61  # text frame width in characters (6.1 in)
    left_margin_in: float = 1.5
    top_margin_in: float = 1.0
    page_width_in: float = 8.5
    page_height_in: float = 11.0
    chars_per_inch: int = 10
    lines_per_inch: int = 6
    scene_heading: Format = Format(0, 61, before=1, after=1)
    action: Format = Format(0, 61, before=1)
    centered: Format = Format(0, 61, before=1, align="center")
    lyrics: Format = Format(0, 61, before=1)
    transition: Format = Format(0, 61, before=1, after=1, align="right")
    character: Format = Format(19, 42, before=1)
    parenthetical: Format = Format(13, 30)
    dialogue: Format = Format(9, 36)
    more: Format = Format(19, 42)  # "(MORE)" under a split speech
    # each side of dual dialogue: the same formats scaled to half the frame
    dual_scale: float = 0.5
    min_lines_split: int = 2  # lines that must stay / move when a paragraph or speech splits

    def format_for(self, kind: Kind) -> Format:
        return self.formats()[kind]

    def formats(self) -> dict[Kind, Format]:
        """The format of every printed kind."""
        return {
            Kind.SCENE_HEADING: self.scene_heading,
            Kind.ACTION: self.action,
            Kind.CENTERED: self.centered,
            Kind.LYRICS: self.lyrics,
            Kind.TRANSITION: self.transition,
            Kind.CHARACTER: self.character,
            Kind.PARENTHETICAL: self.parenthetical,
            Kind.DIALOGUE: self.dialogue,
        }

    def dual(self, fmt: Format, side: str) -> Format:
        """``fmt`` for one column of dual dialogue (``side``: left or right)."""
        half = self.columns * self.dual_scale
        offset = 0 if side == "left" else int(round(half))
        return Format(offset + int(fmt.indent * self.dual_scale), max(8, int(fmt.width * self.dual_scale)),
                      fmt.before, fmt.after, fmt.align)


LETTER = Layout()
