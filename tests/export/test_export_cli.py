"""``scenewright export`` / ``import``: only the path named, no overwrite without --force,
no partial file, clear messages."""

from __future__ import annotations

import os

import pytest

from engine.cli import main
from engine.export import ExportError, write_atomic


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
        write_atomic(target, 12345)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"old")
    with pytest.raises(ExportError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_label_ai_notes_needs_provenance(script, capsys):
    # no <script>.provenance.json beside it: AI passages are unknown, only the title line is possible
    assert main(["export", str(script), "--to", "fountain", "--label-ai", "notes"]) == 1
    assert "--label-ai title" in capsys.readouterr().err
    assert main(["export", str(script), "--to", "fountain", "--label-ai", "title", "--force",
                 "--draft-date", "2 June"]) == 0
    text = script.with_name("lighthouse.draft.fountain").read_text()
    assert "Notes: AI-assisted draft" in text and "Draft date: 2 June" in text


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
