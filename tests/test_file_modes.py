"""Files Scenewright writes get the permissions a new file gets from ``open()`` (0666 less the
umask), or keep those of the file they replace: never ``mkstemp``'s 0600, which would leave a
PDF meant for a producer, or an anchors file shared with a co-writer, readable by its owner only."""

from __future__ import annotations

import os
import stat

import pytest

from engine.atomicfile import write_atomic
from engine.export.safe_write import write_export as export_atomic
from engine.steering import Anchor, AnchorStore


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_files_get_0666_less_the_umask(tmp_path, umask_022):
    write_atomic(tmp_path / "models.toml", "x = 1\n")
    export_atomic(tmp_path / "draft.pdf", b"%PDF")
    script = tmp_path / "s.fountain"
    script.write_text("INT. A - DAY\n", encoding="utf-8")
    store = AnchorStore.for_script(script)
    store.add(Anchor("b", "beat", "Something happens."))
    store.save()
    for name in ("models.toml", "draft.pdf", "s.anchors.toml"):
        assert mode(tmp_path / name) == 0o644, name


def test_a_replaced_file_keeps_its_permissions(tmp_path, umask_022):
    target = tmp_path / "models.toml"
    target.write_text("x = 1\n")
    target.chmod(0o640)
    write_atomic(target, "x = 2\n")
    assert mode(target) == 0o640 and target.read_text() == "x = 2\n"
    pdf = tmp_path / "draft.pdf"
    pdf.write_bytes(b"old")
    pdf.chmod(0o664)
    export_atomic(pdf, b"new", force=True)
    assert mode(pdf) == 0o664
