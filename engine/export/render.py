"""One export of one text, whatever the format: what the TUI's export dialog (and any other
client) calls, with the options of ``scenewright export``.

    rendered = render_export(text, ExportOptions("pdf", paper="a4"))
    rendered.data, rendered.pages          # bytes to write; pages for PDF (the script pages)
    path = export_to(out, rendered, force=False)   # safe_write: no overwrite, no partial file
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .fountain_draft import DraftOptions
from .safe_write import ExportError, write_export

__all__ = ["ExportOptions", "Rendered", "default_output", "export_to", "render_export"]

SUFFIXES = {"fountain": ".draft.fountain", "pdf": ".pdf", "fdx": ".fdx", "html": ".html"}
TITLES = {"fountain": "Fountain draft", "pdf": "PDF", "fdx": "Final Draft (FDX)", "html": "HTML"}


@dataclass(frozen=True, slots=True)
class ExportOptions:
    format: str  # fountain | pdf | fdx | html
    paper: str = "letter"  # pdf: letter | a4
    draft: DraftOptions = field(default_factory=DraftOptions)  # fountain
    revised: frozenset[int] | None = None  # pdf: lines marked as revised (an asterisk in the margin)
    revision: str | None = None  # pdf: the page header, "Blue Revision 2026-12-07"


@dataclass(frozen=True, slots=True)
class Rendered:
    format: str
    data: bytes
    pages: int | None = None  # PDF: script pages (the title page not counted)
    title_page: bool = False  # PDF: a title page comes first
    remarks: tuple[str, ...] = ()  # Fountain draft: what the writer should know (no AI label added...)


def default_output(script: str | Path, fmt: str) -> Path:
    """``x.fountain`` -> ``x.pdf`` (``x.draft.fountain`` for a Fountain draft), beside the script."""
    script = Path(script)
    name = script.name
    stem = name[: -len(".fountain")] if name.lower().endswith(".fountain") else script.stem
    return script.with_name(stem + SUFFIXES[fmt])


def render_export(text: str, options: ExportOptions,
                  ai_spans: Sequence[tuple[int, int]] | None = None) -> Rendered:
    """The export's bytes. ``ai_spans``: AI-written ``(start, end)`` offsets into ``text``
    (labelled in a Fountain draft when ``options.draft.label_ai`` asks), ``[]`` when none is,
    ``None`` when that is not known (then AI labels raise
    :class:`~engine.export.fountain_draft.AILabelError`, an :class:`ExportError`)."""
    from engine.fountain import parse

    fmt = options.format
    if fmt == "fountain":
        from .fountain_draft import draft

        made = draft(text, options.draft, ai_spans)
        return Rendered(fmt, made.text.encode("utf-8"), remarks=made.remarks)
    result = parse(text)
    if fmt == "pdf":
        from engine.fountain.pagination import paginate

        from .pdf import layout_for, pdf_bytes

        pages = paginate(result.elements, layout_for(options.paper))
        return Rendered(fmt, pdf_bytes(result, paper=options.paper, pages=pages,
                                                 revised=options.revised, revision=options.revision), pages.count, bool(result.title_page))
    if fmt == "fdx":
        from .fdx import to_fdx

        return Rendered(fmt, to_fdx(result).encode("utf-8"))
    if fmt == "html":
        from .html import to_html

        return Rendered(fmt, to_html(result).encode("utf-8"))
    raise ExportError(f"unknown export format {fmt!r} (fountain, pdf, fdx or html)")


def export_to(path: str | Path, rendered: Rendered, force: bool = False, script: str | Path | None = None) -> Path:
    """Write ``rendered`` to ``path`` (never over ``script`` itself; not over another file
    unless ``force``). Returns the path written; raises :class:`ExportError`."""
    if script is not None and Path(path).expanduser().resolve() == Path(script).expanduser().resolve():
        raise ExportError(f"{path}: is the script itself; name another output file")
    return write_export(path, rendered.data, force=force)
