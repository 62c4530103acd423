"""``scenewright FILE``: problems with the file are clear messages on stderr, never a traceback."""

from __future__ import annotations

from tui.launch import build_parser, launch_editor


def test_not_utf8_names_the_byte_offset(script_path, capsys):
    path = script_path(raw=b"INT. HOUSE - DAY\n\nCaf\xe9.\n")
    assert launch_editor([str(path)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "byte offset 21" in err and "Traceback" not in err


def test_a_folder_is_not_a_script(tmp_path, capsys):
    assert launch_editor([str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err


def test_arguments():
    args = build_parser().parse_args(["night.fountain", "--theme", "light"])
    assert (args.file, args.theme) == ("night.fountain", "light")
    assert build_parser().parse_args([]).theme is None


def test_help_names_every_command_of_the_command_line():
    from engine.cli import COMMANDS

    shown = " ".join(build_parser().format_help().split())
    listed = shown.split("tells more): ", 1)[1].split(".", 1)[0]
    assert listed.split(", ") == list(COMMANDS)


async def test_the_command_line_opens_the_script_where_writing_goes_on(tmp_path):
    from engine.scriptfile import ScriptFile
    from tui.app import ScenewrightApp

    path = tmp_path / "s.fountain"
    path.write_text("INT. A - DAY\n\nShe waits.\n\nBOB\nHi.", encoding="utf-8")
    script, text = ScriptFile.open(path)
    app = ScenewrightApp(script, text, start_at_end=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.editor_screen.editor.cursor_location == (5, 3)
