"""Script files on disk: atomic saves that keep line endings, BOM and permissions, outside
changes noticed before they are overwritten, recovery copies, and clear errors on bad disks."""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from pathlib import Path

import pytest

from engine.fountain.decode import FountainDecodeError
from engine.scriptfile import (
    ExternalChangeError,
    RecoveryError,
    ScriptFile,
    ScriptFileError,
    ScriptReadError,
    ScriptSaveError,
)

SCENE = "INT. KITCHEN - NIGHT\n\nMARY pours coffee.\n\nMARY\nYou're late.\n"


@pytest.fixture(autouse=True)
def user_dirs(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("SCENEWRIGHT_CACHE_DIR", str(cache))
    monkeypatch.setenv("SCENEWRIGHT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SCENEWRIGHT_DATA_DIR", str(tmp_path / "data"))
    return cache


def leftovers(folder: Path, name: str) -> list[str]:
    """Temporary files a save may have left next to ``name``."""
    return [p.name for p in folder.iterdir() if p.name.startswith(f".{name}.")]


# ------------------------------------------------------------------ open and save
def test_missing_file_opens_empty_and_is_created_on_first_save(tmp_path):
    path = tmp_path / "new.fountain"
    sf, text = ScriptFile.open(path)
    assert text == ""
    assert not path.exists()
    assert not sf.exists
    sf.save(SCENE)
    assert path.read_bytes() == SCENE.encode()
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert not sf.changed_on_disk()
    assert leftovers(tmp_path, "new.fountain") == []


def test_crlf_and_bom_are_written_back(tmp_path):
    path = tmp_path / "windows.fountain"
    path.write_bytes(b"\xef\xbb\xbfTitle: Caf\xc3\xa9\r\n\r\nINT. CAF\xc3\x89 - DAY\r\n")
    sf, text = ScriptFile.open(path)
    assert text == "Title: Café\n\nINT. CAFÉ - DAY\n"
    assert sf.newline == "\r\n" and sf.bom
    sf.save(text + "\nJOSÉ\nHola.\n")
    assert path.read_bytes() == (
        b"\xef\xbb\xbfTitle: Caf\xc3\xa9\r\n\r\nINT. CAF\xc3\x89 - DAY\r\n\r\nJOS\xc3\x89\r\nHola.\r\n"
    )


def test_lf_without_bom_stays_so(tmp_path):
    path = tmp_path / "unix.fountain"
    path.write_bytes(SCENE.encode())
    sf, text = ScriptFile.open(path)
    sf.save(text.replace("late", "early"))
    data = path.read_bytes()
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
    assert data == SCENE.replace("late", "early").encode()


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_permission_bits_are_kept(tmp_path, mode):
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    path.chmod(mode)
    sf, text = ScriptFile.open(path)
    sf.save(text + "\nMore.\n")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_text().endswith("More.\n")


def test_a_symlinked_script_stays_a_symlink(tmp_path):
    real = tmp_path / "drafts" / "real.fountain"
    real.parent.mkdir()
    real.write_text(SCENE)
    link = tmp_path / "link.fountain"
    link.symlink_to(real)
    sf, text = ScriptFile.open(link)
    sf.save(text + "\nTHE END\n")
    assert link.is_symlink()
    assert real.read_text().endswith("THE END\n")


def test_save_replaces_the_file_atomically(tmp_path):
    """The new bytes arrive under a new inode by rename: a reader never sees half a file."""
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    before = path.stat().st_ino
    sf, text = ScriptFile.open(path)
    sf.save(text * 2)
    assert path.stat().st_ino != before
    assert path.read_text() == SCENE * 2
    assert leftovers(tmp_path, "script.fountain") == []


# ---------------------------------------------------------------- outside changes
def test_outside_change_is_detected_and_not_overwritten(tmp_path):
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    sf, text = ScriptFile.open(path)
    assert not sf.changed_on_disk()
    path.write_text(SCENE + "\nEdited elsewhere.\n")
    assert sf.changed_on_disk()
    with pytest.raises(ExternalChangeError) as info:
        sf.save(text + "\nMine.\n")
    message = str(info.value)
    assert str(path) in message and "changed on disk" in message
    assert path.read_text().endswith("Edited elsewhere.\n")
    # the writer chooses to overwrite
    sf.save(text + "\nMine.\n", force=True)
    assert path.read_text().endswith("Mine.\n")
    assert not sf.changed_on_disk()


def test_same_bytes_with_a_new_mtime_is_not_a_change(tmp_path):
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    sf, text = ScriptFile.open(path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    path.write_bytes(SCENE.encode())  # a tool rewrote identical bytes
    assert not sf.changed_on_disk()
    sf.save(text + "\nFine.\n")
    assert path.read_text().endswith("Fine.\n")


def test_same_size_and_mtime_but_new_bytes_is_a_change(tmp_path):
    """A rewrite inside one timestamp tick keeps size and mtime; the hash still sees it."""
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    future = path.stat().st_mtime_ns + 3600 * 10**9  # mtime at or after our read: stat can't be trusted
    os.utime(path, ns=(future, future))
    sf, _ = ScriptFile.open(path)
    path.write_text(SCENE.replace("late", "LATE"))
    os.utime(path, ns=(future, future))
    assert path.stat().st_size == len(SCENE.encode())
    assert sf.changed_on_disk()


def test_deleted_on_disk_is_a_change(tmp_path):
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    sf, text = ScriptFile.open(path)
    path.unlink()
    assert sf.changed_on_disk()
    with pytest.raises(ExternalChangeError, match="deleted"):
        sf.save(text)
    sf.save(text, force=True)
    assert path.read_text() == SCENE


def test_created_by_someone_else_after_opening_a_missing_file(tmp_path):
    path = tmp_path / "script.fountain"
    sf, _ = ScriptFile.open(path)
    path.write_text("Someone else's draft.\n")
    with pytest.raises(ExternalChangeError, match="created"):
        sf.save(SCENE)
    assert path.read_text() == "Someone else's draft.\n"


def test_reload_takes_the_outside_version(tmp_path):
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    sf, _ = ScriptFile.open(path)
    path.write_text("FADE IN:\n")
    assert sf.reload() == "FADE IN:\n"
    assert not sf.changed_on_disk()
    sf.save("FADE IN:\n\nFADE OUT.\n")
    assert path.read_text() == "FADE IN:\n\nFADE OUT.\n"


# ------------------------------------------------------------------------ errors
def test_missing_folder_is_a_clear_error(tmp_path):
    path = tmp_path / "no" / "such" / "script.fountain"
    sf, text = ScriptFile.open(path)
    assert text == ""
    with pytest.raises(ScriptSaveError) as info:
        sf.save(SCENE)
    assert str(path) in str(info.value)
    assert "does not exist" in str(info.value)


@pytest.mark.parametrize("failing", ["fsync", "replace", "write"])
def test_disk_full_leaves_the_original_untouched(tmp_path, monkeypatch, failing):
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    original = path.read_bytes()
    sf, text = ScriptFile.open(path)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if failing == "write":
        import engine.scriptfile as module

        real_fdopen = os.fdopen

        class FullFile:
            def __init__(self, fd, mode):
                self._f = real_fdopen(fd, mode)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self._f.close()

            def write(self, data):
                full()

            def fileno(self):
                return self._f.fileno()

            def flush(self):
                self._f.flush()

        monkeypatch.setattr(module.os, "fdopen", FullFile)
    else:
        monkeypatch.setattr(os, failing, full)
    with pytest.raises(ScriptSaveError) as info:
        sf.save(text + "\nA new scene that must not half-land.\n")
    monkeypatch.undo()
    message = str(info.value)
    assert str(path) in message
    assert os.strerror(errno.ENOSPC) in message
    assert "not changed" in message
    assert path.read_bytes() == original
    assert leftovers(tmp_path, "script.fountain") == []
    assert isinstance(info.value, ScriptFileError)
    # once there is room again, saving works and nothing was lost
    sf.save(text + "\nSaved at last.\n")
    assert path.read_text().endswith("Saved at last.\n")


def _save_in_read_only_folder() -> str:
    folder = Path(tempfile.mkdtemp(prefix="sw-ro-"))
    path = folder / "script.fountain"
    path.write_text(SCENE)
    path.chmod(0o666)  # the file itself is writable: only the folder is not
    folder.chmod(0o555)
    try:
        sf, text = ScriptFile.open(path)
        try:
            sf.save(text + "\nMore.\n")
            return "saved"
        except ScriptSaveError as exc:
            unchanged = path.read_text() == SCENE
            clean = not leftovers(folder, "script.fountain")
            return f"{exc}|unchanged={unchanged}|clean={clean}"
    finally:
        folder.chmod(0o755)


def _run_unprivileged(fn) -> str:
    """Run ``fn`` as a user that file permissions apply to (root ignores them)."""
    if os.geteuid() != 0:
        return fn()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: drop to nobody, run, report through the pipe
        code = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            result = fn()
        except BaseException as exc:  # report anything, never run pytest in the child
            result = f"child failed: {exc!r}"
            code = 1
        os.write(write_end, result.encode())
        os.close(write_end)
        os._exit(code)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


def test_read_only_folder_is_a_clear_error(tmp_path):
    result = _run_unprivileged(_save_in_read_only_folder)
    message, unchanged, clean = result.split("|")
    assert "script.fountain" in message
    assert "Permission denied" in message
    assert unchanged == "unchanged=True" and clean == "clean=True"


def test_invalid_utf8_names_the_byte_offset(tmp_path):
    path = tmp_path / "latin1.fountain"
    path.write_bytes(b"INT. CAF\xc9 - DAY\n")
    with pytest.raises(FountainDecodeError) as info:
        ScriptFile.open(path)
    assert info.value.offset == 8
    assert str(path) in str(info.value)


def test_a_folder_is_not_a_script(tmp_path):
    with pytest.raises(ScriptReadError, match="folder"):
        ScriptFile.open(tmp_path)


def _open_unreadable() -> str:
    folder = Path(tempfile.mkdtemp(prefix="sw-nr-"))
    folder.chmod(0o755)
    path = folder / "secret.fountain"
    path.write_text(SCENE)
    path.chmod(0o000)
    try:
        ScriptFile.open(path)
        return "opened"
    except ScriptReadError as exc:
        return str(exc)


def test_unreadable_file_is_a_clear_error():
    message = _run_unprivileged(_open_unreadable)
    assert "secret.fountain" in message and "Permission denied" in message


# ---------------------------------------------------------------------- recovery
def test_recovery_copy_round_trip(tmp_path, user_dirs):
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    sf, text = ScriptFile.open(path)
    edited = text + "\nUnsaved brilliance.\n"
    copy = sf.write_recovery(edited)
    assert copy.parent == user_dirs / "recovery"
    meta = json.loads(copy.with_suffix(".json").read_text())
    assert meta["path"] == str(path.resolve())
    assert meta["saved_at"]
    assert meta["disk_sha256"]

    # "crash": the next session opens the same file
    again, disk_text = ScriptFile.open(path)
    assert disk_text == SCENE
    assert again.recovery() == edited
    info = again.recovery_info()
    assert info is not None and info.based_on_current_disk
    again.discard_recovery()
    assert again.recovery() is None
    assert not copy.exists()


def test_recovery_equal_to_disk_is_not_offered(tmp_path):
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    sf, text = ScriptFile.open(path)
    sf.write_recovery(text)
    assert sf.recovery() is None


def test_saving_discards_the_recovery_copy(tmp_path):
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    sf, text = ScriptFile.open(path)
    copy = sf.write_recovery(text + "x\n")
    sf.save(text + "x\n")
    assert not copy.exists()
    assert sf.recovery() is None


def test_recovery_of_a_never_saved_script(tmp_path):
    path = tmp_path / "new.fountain"
    sf, _ = ScriptFile.open(path)
    sf.write_recovery("FADE IN:\n")
    again, text = ScriptFile.open(path)
    assert text == ""
    assert again.recovery() == "FADE IN:\n"


def test_recovery_when_the_disk_changed_after_the_crash(tmp_path):
    path = tmp_path / "script.fountain"
    path.write_text(SCENE)
    sf, text = ScriptFile.open(path)
    sf.write_recovery(text + "Mine.\n")
    path.write_text(SCENE + "Theirs.\n")
    again, _ = ScriptFile.open(path)
    info = again.recovery_info()
    assert info is not None and info.text == text + "Mine.\n"
    assert not info.based_on_current_disk


def test_recovery_keys_are_per_file(tmp_path):
    a, b = tmp_path / "a.fountain", tmp_path / "b.fountain"
    sa, _ = ScriptFile.open(a)
    sb, _ = ScriptFile.open(b)
    sa.write_recovery("A\n")
    sb.write_recovery("B\n")
    assert ScriptFile.open(a)[0].recovery() == "A\n"
    assert ScriptFile.open(b)[0].recovery() == "B\n"


def test_recovery_write_failure_is_a_clear_error(tmp_path, user_dirs):
    user_dirs.parent.mkdir(parents=True, exist_ok=True)
    user_dirs.write_text("a file where the cache folder should be")
    sf, _ = ScriptFile.open(tmp_path / "script.fountain")
    with pytest.raises(RecoveryError) as info:
        sf.write_recovery("text")
    assert "script.fountain" in str(info.value)
