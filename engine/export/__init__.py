"""Exports of a script: a clean Fountain draft, PDF (industry format), FDX (Final Draft) and
HTML, plus FDX import and breakdown reports. UI-free; the CLI and the TUI call these.

Every writer goes through :func:`engine.export.safe_write.write_atomic`: only the path named,
no overwrite without ``force``, and no partial file when something fails.
"""

from .fdx import FdxError, fdx_paragraph_types, fdx_to_fountain, to_fdx
from .fountain_draft import DraftOptions, fountain_draft
from .html import to_html
from .pdf import pdf_bytes
from .reports import report
from .safe_write import ExportError, check_target, write_atomic

FORMATS = ("fountain", "pdf", "fdx", "html")
SUFFIXES = {"fountain": ".draft.fountain", "pdf": ".pdf", "fdx": ".fdx", "html": ".html"}

__all__ = [
    "DraftOptions", "ExportError", "FORMATS", "FdxError", "SUFFIXES", "check_target", "fdx_paragraph_types",
    "fdx_to_fountain", "fountain_draft", "pdf_bytes", "report", "to_fdx", "to_html", "write_atomic",
]
