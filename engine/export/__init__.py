"""Exports of a script: a clean Fountain draft, PDF (industry format), FDX (Final Draft) and
HTML, plus FDX import and breakdown reports. UI-free; the CLI and the TUI call these.

Every writer goes through :func:`engine.export.safe_write.write_export`: only the path named,
no overwrite without ``force``, and no partial file when something fails.
"""

from .fdx import FdxError, fdx_paragraph_types, fdx_to_fountain, to_fdx
from .fountain_draft import DraftOptions, fountain_draft
from .html import to_html
from .pdf import pdf_bytes
from .render import SUFFIXES, ExportOptions, Rendered, default_output, export_to, render_export
from .reports import report
from .safe_write import ExportError, check_target, write_export

FORMATS = ("fountain", "pdf", "fdx", "html")

__all__ = [
    "DraftOptions", "ExportError", "ExportOptions", "FORMATS", "FdxError", "Rendered", "SUFFIXES", "check_target",
    "default_output", "export_to", "fdx_paragraph_types", "fdx_to_fountain", "fountain_draft", "pdf_bytes",
    "render_export", "report", "to_fdx", "to_html", "write_export",
]
