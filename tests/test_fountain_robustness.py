"""The engine never hangs and never raises, its elements stay true to the text, and the CLI reports
bad files in one line."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from engine.fountain import FountainDecodeError, Kind, decode_script, parse
from fountain_checks import assert_well_formed


@pytest.mark.parametrize("text", [
    "", "\n", "/*", "/* unclosed\n\nINT. HOUSE - DAY\n", "[[ unclosed note", "*/ stray", "]] stray",
    "/*/", "[[]]", "/**/", "@", "!", "~", ">", "<", "#", "=", "^", ".", "   ", "\t\t", "===", "Title:",
    "x" * 1_000_000, "*" * 100_000, "_a" * 50_000, "[[" * 20_000, "/*" * 20_000,
    # many unclosed openers on one line: these were quadratic with regex scanning
    "*a " * 30_000, "**a " * 20_000, "_a " * 30_000, "[[a " * 20_000, "[[a]] " * 20_000,
])
def test_never_raises(text):
    assert_well_formed(text)


def test_binary_noise_never_raises():
    rng = random.Random(5)
    for _ in range(20):
        data = bytes(rng.randrange(256) for _ in range(4000))
        assert_well_formed(data.decode("latin-1"))


def test_one_line_boneyard_does_not_hang():
    res = parse("/* one line */")
    assert [e.kind for e in res.elements] == [Kind.BONEYARD]


def test_unclosed_boneyard_is_ordinary_text():
    res = parse("Kept.\n\n/* open\nINT. HOUSE - DAY\n\nx")
    assert [e.kind for e in res.elements] == [Kind.ACTION, Kind.ACTION, Kind.ACTION]


def test_crlf_bom_and_tabs():
    decoded = decode_script(b"\xef\xbb\xbfTitle: T\r\n\r\nINT. A - DAY\r\n\r\n\tAction.\r\n")
    assert decoded.bom and decoded.newline == "\r\n"
    res = parse(decoded.text)
    assert [(e.kind.value, e.text) for e in res.elements] == [
        ("title", "T"), ("scene_heading", "INT. A - DAY"), ("action", "\tAction.")]
    assert decoded.encode(decoded.text).startswith(b"\xef\xbb\xbfTitle: T\r\n")


def test_invalid_utf8_names_the_byte_offset():
    with pytest.raises(FountainDecodeError) as caught:
        decode_script(b"INT. HOUSE\n\nCaf\xe9 noir.\n", "script.fountain")
    assert caught.value.offset == 15
    assert "byte offset 15" in str(caught.value) and "script.fountain" in str(caught.value)


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tui.main", *args], capture_output=True, text=True, cwd=cwd)


def test_parse_json_contract(tmp_path):
    script = tmp_path / "s.fountain"
    script.write_text("Title: Night Shift\n\nINT. DINER - NIGHT #4#\n\nMARGOT (V.O.)\nHi.\n\nDESMOND ^\nHey.\n\n"
                      "## Act two\n\n> THE END <\n", encoding="utf-8")
    out = run_cli("parse", str(script), "--json")
    assert out.returncode == 0, out.stderr
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert objs[0] == {"type": "title", "key": "Title", "value": "Night Shift", "line": 1, "end_line": 1}
    assert objs[1] == {"type": "scene_heading", "text": "INT. DINER - NIGHT", "line": 3, "end_line": 3,
                       "scene_number": "4"}
    assert objs[2] == {"type": "character", "text": "MARGOT (V.O.)", "line": 5, "end_line": 5, "name": "MARGOT",
                       "extension": "(V.O.)", "dual": "left"}
    assert objs[4]["dual"] == "right"
    assert {"type": "section", "text": "Act two", "line": 11, "end_line": 11, "level": 2} in objs
    assert objs[-1] == {"type": "centered", "text": "THE END", "line": 13, "end_line": 13}


@pytest.mark.parametrize("content,needle", [(None, "no such file"), (b"ok\n\xff\xfe bad", "byte offset 3")])
def test_parse_cli_reports_bad_files_without_traceback(tmp_path, content, needle):
    script = tmp_path / "bad.fountain"
    if content is not None:
        script.write_bytes(content)
    out = run_cli("parse", str(script), "--json")
    assert out.returncode == 1
    assert needle in out.stderr and "Traceback" not in out.stderr and str(script) in out.stderr
