"""Themes from TOML: bundled dark and light, the writer's own, errors naming file:line: key,
switching from the command palette and ``--theme``."""

from __future__ import annotations

import os
from pathlib import Path

from rich.style import Style

from tui.launch import launch_editor
from tui.themes import derived_fountain_styles, load_catalog, load_theme_file


def scene_heading_style(app) -> Style:
    return app.editor_screen.editor._theme.syntax_styles["fountain.scene_heading"]


def user_themes() -> Path:
    folder = Path(os.environ["SCENEWRIGHT_CONFIG_DIR"]) / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_bundled_themes_load_without_errors():
    catalog = load_catalog()
    assert {"dark", "light"} <= set(catalog.names)
    assert catalog.errors == []
    assert catalog.themes["light"].theme.dark is False
    assert catalog.themes["dark"].fountain["scene_heading"] == "bold #e5c07b"


async def test_dark_is_the_default_and_light_switches_the_highlights(open_app, script_path, example_text, settle):
    app = open_app(script_path(example_text))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        editor = app.editor_screen.editor
        assert app.theme == "dark"
        assert editor.theme == "scenewright-dark"
        assert scene_heading_style(app) == Style.parse("bold #e5c07b")
        app.theme = "light"
        await settle(pilot)
        assert editor.theme == "scenewright-light"
        assert scene_heading_style(app) == Style.parse("bold #a05a00")


async def test_theme_switcher_in_the_command_palette(open_app, script_path, settle):
    app = open_app(script_path("INT. HOUSE - DAY\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"theme")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"light")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "light"
        assert app.editor_screen.editor.theme == "scenewright-light"


async def test_textual_builtin_themes_get_derived_fountain_styles(open_app, script_path, settle):
    app = open_app(script_path("INT. HOUSE - DAY\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "nord"
        await settle(pilot)
        style = scene_heading_style(app)
        assert style.bold and style.color is not None


async def test_theme_option_picks_the_theme(open_app, script_path, settle):
    app = open_app(script_path("INT. HOUSE - DAY\n"), theme="light")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "light"
        assert app.editor_screen.editor.theme == "scenewright-light"


def test_unknown_theme_option_is_a_clear_error(script_path, capsys):
    assert launch_editor([str(script_path("x\n")), "--theme", "no-such-theme"]) == 2
    err = capsys.readouterr().err
    assert "no theme named 'no-such-theme'" in err and "dark" in err and "light" in err


async def test_user_theme_overrides_and_adds(open_app, script_path, settle):
    (user_themes() / "dark.toml").write_text(
        'name = "dark"\nprimary = "#ff0000"\n[fountain]\nscene_heading = "bold #00ff00"\n', encoding="utf-8"
    )
    (user_themes() / "sepia.toml").write_text(
        'name = "sepia"\ndark = false\nprimary = "#704214"\nbackground = "#f4ecd8"\n', encoding="utf-8"
    )
    app = open_app(script_path("INT. HOUSE - DAY\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert scene_heading_style(app) == Style.parse("bold #00ff00")
        app.theme = "sepia"
        await settle(pilot)
        derived = derived_fountain_styles(app.get_theme("sepia"))["scene_heading"]
        assert scene_heading_style(app) == Style.parse(derived)  # from sepia's own colours


async def test_bad_theme_file_is_reported_with_file_line_and_key(open_app, script_path, settle, notifications):
    bad = user_themes() / "broken.toml"
    bad.write_text('name = "broken"\ndark = true\nprimary = "not-a-colour"\n', encoding="utf-8")
    worse = user_themes() / "worse.toml"
    worse.write_text('name = "worse"\nprimary = "#123456"\n[fountain]\ncharacter = "bold bogus"\n', encoding="utf-8")
    app = open_app(script_path("INT. HOUSE - DAY\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = "\n".join(notifications(app))
        assert f"{bad}:3: primary: not a colour" in shown
        assert f"{worse}:4: fountain.character: not a valid style" in shown
        assert app.theme == "dark"  # the good themes still work
        assert "broken" not in app.available_themes


def test_theme_file_errors_name_the_line():
    import pytest

    from engine.tomlconf import ConfigError

    folder = user_themes()
    path = folder / "typo.toml"
    path.write_text('name = "typo"\nprimary = "#123456"\nforegound = "#ffffff"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_theme_file(path)
    assert str(info.value).startswith(f"{path}:3: foregound: unknown key")
    path.write_text('name = "typo"\nprimary = [\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_theme_file(path)
    assert "invalid TOML" in str(info.value)
