"""``render_export`` / ``export_to``: the one call the export dialog makes, for every format."""

from __future__ import annotations

import pytest

from engine.export import DraftOptions, ExportError, ExportOptions, default_output, export_to, render_export
from engine.export.fountain_draft import AI_NOTE, NO_AI_TEXT
from engine.fountain import parse
from engine.fountain.pagination import paginate


def test_every_format_renders_and_pdf_counts_its_pages(small):
    pdf = render_export(small, ExportOptions("pdf"))
    assert pdf.data.startswith(b"%PDF") and pdf.title_page
    assert pdf.pages == paginate(parse(small).elements).count
    assert render_export(small, ExportOptions("fdx")).data.startswith(b"<?xml")
    assert b"<html" in render_export(small, ExportOptions("html")).data.lower()
    start = small.index("Mara and Tom walk the path.")
    draft = render_export(small, ExportOptions("fountain", draft=DraftOptions(label_ai="notes")),
                          [(start, start + 10)]).data.decode()
    assert f"Mara and Tom walk the path. {AI_NOTE}" in draft and draft.count(AI_NOTE) == 1
    title = ExportOptions("fountain", draft=DraftOptions(label_ai="title"))
    with pytest.raises(ExportError, match="AI-written is not known"):  # no spans given: no record
        render_export(small, title)
    none = render_export(small, title, [])
    assert none.data.decode() == small and none.remarks == (NO_AI_TEXT,)
    with pytest.raises(ExportError, match="unknown export format 'docx'"):
        render_export(small, ExportOptions("docx"))


def test_export_to_never_overwrites_unless_asked_and_never_the_script(small, tmp_path):
    script = tmp_path / "film.fountain"
    script.write_text(small, encoding="utf-8")
    rendered = render_export(small, ExportOptions("html"))
    out = default_output(script, "html")
    assert out == tmp_path / "film.html"
    assert export_to(out, rendered, script=script) == out.resolve()
    with pytest.raises(ExportError, match="already exists"):
        export_to(out, rendered, script=script)
    export_to(out, rendered, force=True, script=script)
    with pytest.raises(ExportError, match="is the script itself"):
        export_to(script, rendered, force=True, script=script)
    assert script.read_text(encoding="utf-8") == small
    assert default_output(script, "fountain") == tmp_path / "film.draft.fountain"
