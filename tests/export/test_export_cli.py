"""``scenewright export`` / ``import``: only the path named, no overwrite without --force,
no partial file, clear messages."""

from __future__ import annotations

import pytest

from engine.cli import main
from engine.export import ExportError, write_export
from engine.fountain import Kind, parse
from engine.fountain.stats import count_words
from engine.provenance import ProvenanceTracker, load_spans


@pytest.fixture
def script(tmp_path, small):
    path = tmp_path / "lighthouse.fountain"
    path.write_text(small, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt, name", [("pdf", "lighthouse.pdf"), ("fdx", "lighthouse.fdx"),
                                       ("html", "lighthouse.html"), ("fountain", "lighthouse.draft.fountain")])
def test_export_writes_the_default_name_once(script, fmt, name, capsys):
    assert main(["export", str(script), "--to", fmt]) == 0
    out = script.with_name(name)
    assert out.is_file() and out.stat().st_size > 0
    before = out.read_bytes()
    assert main(["export", str(script), "--to", fmt]) == 1
    assert "already exists; use --force" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert main(["export", str(script), "--to", fmt, "--force"]) == 0
    assert sorted(p.name for p in script.parent.iterdir()) == sorted({"lighthouse.fountain", name})


def test_refused_paths(script, tmp_path, capsys):
    assert main(["export", str(script), "--to", "pdf", "-o", str(tmp_path)]) == 1
    assert "is a directory" in capsys.readouterr().err
    assert main(["export", str(script), "--to", "pdf", "-o", str(tmp_path / "no" / "such" / "x.pdf")]) == 1
    assert "does not exist (export creates no folders)" in capsys.readouterr().err
    assert not (tmp_path / "no").exists()
    assert main(["export", str(script), "--to", "fountain", "-o", str(script), "--force"]) == 1
    assert "is the script itself" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "missing.fountain"), "--to", "pdf"]) == 1
    assert "no such file" in capsys.readouterr().err


def test_failed_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "out.pdf"


    # data that cannot be written (not bytes-like after encoding) fails inside the temp file
    with pytest.raises(TypeError):
        write_export(target, 12345)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"old")
    with pytest.raises(ExportError):
        write_export(target, b"new")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def record(script, spans) -> None:
    """The provenance record beside ``script`` as the editor writes it: ``spans`` AI-written;
    with ``[]`` a record that once held a span whose text the writer has since replaced."""
    text = script.read_text(encoding="utf-8")
    if not spans:
        ProvenanceTracker(text, [(0, 5)]).save(script)
    ProvenanceTracker(text, spans).save(script)
    assert load_spans(script, text) == list(spans)


@pytest.mark.parametrize("label", ["notes", "title"])
def test_ai_labels_need_a_provenance_record(script, label, capsys):
    # no lighthouse.fountain.provenance.json: which text is AI-written is unknown, so no label is true
    assert main(["export", str(script), "--to", "fountain", "--label-ai", label]) == 1
    err = capsys.readouterr().err
    assert "no provenance record beside it (lighthouse.fountain.provenance.json)" in err
    assert f"--label-ai {label} would not be true" in err and "Traceback" not in err
    assert not script.with_name("lighthouse.draft.fountain").exists()


@pytest.mark.parametrize("label", ["notes", "title"])
def test_a_record_without_ai_text_adds_no_label(script, small, label, capsys):
    record(script, [])
    assert main(["export", str(script), "--to", "fountain", "--label-ai", label, "--draft-date", "2 June"]) == 0
    captured = capsys.readouterr()
    assert "note: no text in the script came from accepted model suggestions, so no AI label was added" \
        in captured.err
    assert captured.out.strip() == str(script.with_name("lighthouse.draft.fountain").resolve())
    text = script.with_name("lighthouse.draft.fountain").read_text(encoding="utf-8")
    assert "AI-assisted" not in text and "Notes" not in text and "Draft date: 2 June" in text
    assert text == small.replace("Draft date: 1 March 2025", "Draft date: 2 June")


def test_the_title_line_from_the_record_joins_an_existing_notes_key(tmp_path, small, capsys):
    script = tmp_path / "lighthouse.fountain"
    script.write_text(small.replace("Draft date:", "Notes: Second draft, for the festival.\nDraft date:"),
                      encoding="utf-8")
    text = script.read_text(encoding="utf-8")
    start = text.index("Who keeps a light")
    record(script, [(start, start + len("Who keeps a light burning out here?"))])
    assert main(["export", str(script), "--to", "fountain", "--label-ai", "title"]) == 0
    assert capsys.readouterr().err == ""
    draft = script.with_name("lighthouse.draft.fountain").read_text(encoding="utf-8")
    notes = [e for e in parse(draft).elements if e.kind is Kind.TITLE and e.key.casefold() == "notes"]
    share = round(100 * 7 / count_words(text))  # the 7 words of the span
    assert len(notes) == 1 and draft.count("Notes:") == 1
    assert notes[0].text == ("Second draft, for the festival.\n"
                             f"AI-assisted draft: about {share}% of the words come from accepted model suggestions.")


def test_import_fdx(script, tmp_path, capsys):
    assert main(["export", str(script), "--to", "fdx"]) == 0
    fdx = script.with_name("lighthouse.fdx")
    out = tmp_path / "imported.fountain"
    assert main(["import", str(fdx), "-o", str(out)]) == 0
    assert "INT. LIGHTHOUSE - NIGHT #1#" in out.read_text()
    broken = tmp_path / "broken.fdx"
    broken.write_text("<FinalDraft><Content>")
    assert main(["import", str(broken)]) == 1
    assert "broken.fdx: not valid XML" in capsys.readouterr().err
    assert not (tmp_path / "broken.fountain").exists()
    assert main(["import", str(fdx), "-o", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
