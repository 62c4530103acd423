"""``scenewright anchors ...`` and ``scenewright prompt ...`` run as a writer runs them (subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

from engine.steering.store import store_path


def sw(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tui.main", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def listed(script):
    out = sw("anchors", "list", script, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["anchors"]


def test_add_list_remove(script):
    out = sw(
        "anchors",
        "add",
        script,
        "--kind",
        "character",
        "--text",
        "Marisol never lets anyone eat alone.",
        "--key",
        "Marisol",
        "--key",
        "the baker",
        "--priority",
        "5",
    )
    assert out.returncode == 0, out.stderr
    assert "Added character-marisol-never-lets-anyone" in out.stdout
    out = sw(
        "anchors",
        "add",
        script,
        "--kind",
        "beat",
        "--text",
        "José admits he towed the kid's car.",
        "--scope",
        "scene:3",
        "--id",
        "towed",
        "--json",
    )
    assert json.loads(out.stdout) == {
        "id": "towed",
        "kind": "beat",
        "text": "José admits he towed the kid's car.",
        "scope": "scene:3",
        "priority": 0,
        "enabled": True,
    }
    anchors = listed(script)
    assert [(a["id"], a["keys"], a["priority"]) for a in anchors] == [
        ("character-marisol-never-lets-anyone", ["Marisol", "the baker"], 5),
        ("towed", [], 0),
    ]
    assert store_path(script).exists()

    text = sw("anchors", "list", script)
    assert "towed" in text.stdout and "scene:3" in text.stdout and "keys: Marisol, the baker" in text.stdout

    assert sw("anchors", "disable", script, "towed").returncode == 0
    assert [a["enabled"] for a in listed(script)] == [True, False]
    out = sw("anchors", "remove", script, "towed")
    assert out.returncode == 0 and [a["id"] for a in listed(script)] == ["character-marisol-never-lets-anyone"]
    out = sw("anchors", "remove", script, "towed")
    assert out.returncode == 1 and "no anchor with the id 'towed'" in out.stderr and "Traceback" not in out.stderr


def test_list_marks_the_anchors_a_request_at_a_line_uses(script):
    sw("anchors", "add", script, "--kind", "beat", "--text", "José admits it.", "--scope", "scene:3", "--id", "b")
    sw("anchors", "add", script, "--kind", "world", "--text", "Rain.", "--scope", "act:ACT TWO", "--id", "w")
    sw("anchors", "add", script, "--kind", "character", "--text", "Teo is twelve.", "--key", "Teo", "--id", "t")
    out = sw("anchors", "list", script, "--json", "--line", "73")  # 1-based: MARISOL, in scene 3
    used = {a["id"]: a["used"] for a in json.loads(out.stdout)["anchors"]}
    assert used == {"b": True, "w": False, "t": False}
    out = sw("anchors", "list", script, "--json", "--line", "102")
    data = {a["id"]: a for a in json.loads(out.stdout)["anchors"]}
    assert {k: v["used"] for k, v in data.items()} == {"b": False, "w": True, "t": True}
    assert data["t"]["reason"] == "whole script; key 'Teo' in the recent text"
    assert "outside scene 3" in data["b"]["reason"]


def test_bad_arguments_are_one_line_messages(script, tmp_path):
    out = sw("anchors", "add", script, "--kind", "beat", "--text", "x", "--scope", "chapter:2")
    assert out.returncode == 1 and out.stderr.strip() == (
        "scenewright: --scope: 'chapter:2': the scope kind must be script, section (act) or scene"
    )
    out = sw("anchors", "list", tmp_path / "missing.fountain")
    assert out.returncode == 1 and "missing.fountain: no such file" in out.stderr
    out = sw("anchors", "add", script, "--kind", "plot", "--text", "x")
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_export_import_round_trip(script, tmp_path):
    sw("anchors", "add", script, "--kind", "style", "--text", "Short, hard lines.", "--priority", "2", "--id", "s")
    sw("anchors", "add", script, "--kind", "beat", "--text", "Teo runs.", "--scope", "section:The Lot", "--id", "b")
    sw("anchors", "settings", script, "--genre", "Drama", "--tone", "Tender")
    exported = tmp_path / "anchors.toml"
    out = sw("anchors", "export", script, exported)
    assert out.returncode == 0 and "Exported 2 anchors" in out.stdout
    assert sw("anchors", "export", script).stdout == exported.read_text("utf-8")  # to standard output

    other = tmp_path / "other.fountain"
    other.write_text("INT. ROOM - DAY\n", "utf-8")
    out = sw("anchors", "import", other, exported)
    assert out.returncode == 0 and "2 added; 0 replaced" in out.stdout
    assert listed(other) == listed(script)
    assert tomllib.loads(store_path(other).read_text("utf-8")) == tomllib.loads(exported.read_text("utf-8"))
    out = sw("anchors", "import", other, exported)
    assert "0 added; 2 replaced" in out.stdout


def test_malformed_store_and_import_file(script, tmp_path):
    bad = '[[anchors]]\nid = "a"\nkind = "beat"\ntext = "x"\npriority = "high"\n'
    store_path(script).write_text(bad, "utf-8")
    out = sw("anchors", "list", script)
    assert out.returncode == 1
    assert out.stderr.strip() == f"scenewright: {store_path(script)}:5: anchors[1].priority: must be an integer"
    out = sw("anchors", "add", script, "--kind", "beat", "--text", "y")
    assert out.returncode == 1 and "it was left as it is" in out.stderr
    assert store_path(script).read_text("utf-8") == bad

    store_path(script).unlink()
    broken = tmp_path / "broken.toml"
    broken.write_text('[[anchors]]\nid = "a"\nkind = "beat"\n', "utf-8")
    out = sw("anchors", "import", script, broken)
    assert (
        out.returncode == 1
        and out.stderr.strip()
        == f"scenewright: {broken}:1: anchors[1].text: missing (every anchor needs id, kind and text)"
    )
    assert not store_path(script).exists()


def test_prompt_json(script):
    sw(
        "anchors",
        "add",
        script,
        "--kind",
        "character",
        "--text",
        "Marisol feeds people to keep them close.",
        "--key",
        "Marisol",
        "--id",
        "m",
    )
    sw(
        "anchors",
        "add",
        script,
        "--kind",
        "beat",
        "--text",
        "José admits he towed the kid's car.",
        "--scope",
        "scene:3",
        "--id",
        "b",
    )
    sw("anchors", "settings", script, "--genre", "Drama")
    out = sw("prompt", script, "--line", "71", "--prompt", "dialogue", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["prompt"] == "".join(s["text"] for s in data["sections"])
    assert [s["name"] for s in data["sections"]] == ["instructions", "anchors", "script"]
    assert all(isinstance(s["tokens"], int) and s["tokens"] > 0 for s in data["sections"])
    assert data["prompt"].startswith("[Drama]") and "[Drama]" in data["sections"][0]["text"]
    anchors = data["sections"][1]["text"]
    assert "Beat: José admits" in anchors and "Character: Marisol feeds" in anchors
    assert data["prompt_id"] == "dialogue" and data["prompt_version"] == 1
    assert data["trimmed"]["script_chars"] == 0 and data["fits"] and data["tokens"] <= data["budget"]
    assert data["prompt"].endswith("JOSÉ\nIt was on the list.\n\nDialogue:\n")


def test_prompt_text_trims_to_a_small_window(script):
    out = sw("prompt", script, "--line", "130", "--max-tokens", "3900")
    assert out.returncode == 0, out.stderr
    assert "trimmed" in out.stderr and "prompt continue@1" in out.stderr
    assert out.stdout.rstrip("\n").endswith("Nobody is off.")
    assert "INT. LA ESTRELLA BAKERY - NIGHT" not in out.stdout
    sections = sw("prompt", script, "--line", "130", "--sections")
    assert "──── instructions (" in sections.stdout and "──── script (" in sections.stdout


def test_prompt_errors(script):
    out = sw("prompt", script, "--line", "999")
    assert out.returncode == 1 and "has lines 1 to" in out.stderr
    out = sw("prompt", script, "--line", "10", "--prompt", "nope")
    assert out.returncode == 1 and "no prompt called 'nope'" in out.stderr and "Traceback" not in out.stderr
    out = sw("prompt", script, "--line", "10", "--model", "nope")
    assert out.returncode == 1 and "no model called 'nope'" in out.stderr


def test_a_scope_that_names_nothing_is_kept_and_said(script):
    out = sw("anchors", "add", script, "--kind", "beat", "--text", "Later.", "--scope", "scene:99")
    assert out.returncode == 0 and "no scene '99' in the script" in out.stderr and "kept" in out.stderr
    assert [a["scope"] for a in listed(script)] == ["scene:99"]
    out = sw("anchors", "add", script, "--kind", "beat", "--text", "Now.", "--scope", "scene:2")
    assert out.returncode == 0 and "warning" not in out.stderr
