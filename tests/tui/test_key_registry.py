"""The key registry (``tui/keymap.py``) is the one place keys are declared: every ``BINDINGS`` in
tui/ is built from it, every binding in it can be remapped in keymap.toml, and every one is in
the command palette where it applies."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
from pathlib import Path

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

import tui
from tui import keymap
from tui.app import ScenewrightApp
from tui.keymap import REGISTRY, known_bindings, load_keymap, palette_title
from tui.system_commands import scopes

MODIFIERS = ("", "ctrl+", "shift+", "alt+", "ctrl+shift+", "ctrl+alt+", "alt+shift+", "ctrl+alt+shift+",
             "super+", "ctrl+super+")


def tui_classes() -> list[type[DOMNode]]:
    for info in pkgutil.walk_packages(tui.__path__, "tui."):
        importlib.import_module(info.name)
    found = []
    for name, module in list(importlib.sys.modules.items()):
        if name == "tui" or name.startswith("tui."):
            found += [c for _, c in inspect.getmembers(module, inspect.isclass)
                      if issubclass(c, DOMNode) and c.__module__ == name]
    return found


def declared(cls: type) -> list[Binding]:
    return [*cls.__dict__.get("BINDINGS", []), *cls.__dict__.get("COMPLETION_BINDINGS", [])]


def full_keymap() -> dict[str, str]:
    """Every binding id on a key of its own that nothing else uses (F13 to F24 with modifiers)."""
    keys = [f"{modifier}f{n}" for modifier in MODIFIERS for n in range(13, 25)]
    ids = sorted(known_bindings())
    assert len(ids) <= len(keys)
    return dict(zip(ids, keys))


def write_keymap(mapping: dict[str, str]) -> Path:
    path = Path(os.environ["SCENEWRIGHT_CONFIG_DIR"]) / "keymap.toml"
    path.write_text("[keymap]\n" + "".join(f'"{i}" = "{k}"\n' for i, k in mapping.items()), encoding="utf-8")
    return path


def test_every_binding_in_tui_comes_from_the_registry():
    classes = tui_classes()
    seen: set[str] = set()
    for cls in classes:
        for binding in declared(cls):
            assert isinstance(binding, Binding) and binding.id in REGISTRY, (cls, binding)
            assert binding == REGISTRY[binding.id].binding(), (cls, binding.id)
            assert binding.tooltip, (cls, binding.id)
            seen.add(binding.id)
    assert seen == set(known_bindings())  # and no binding of the registry is left unused
    for key in REGISTRY.values():
        assert key.same is None or REGISTRY[key.same].same is None, key.id
        assert key.is_binding or key.palette, key.id  # a palette entry without a key is in the palette


def test_every_binding_can_be_remapped(tmp_path):
    """The key map accepts every id (none reported as unknown or taken by the script editor)
    and Textual's keymap puts each binding on its new key."""
    mapping = full_keymap()
    path = tmp_path / "keymap.toml"
    path.write_text("[keymap]\n" + "".join(f'"{i}" = "{k}"\n' for i, k in mapping.items()), encoding="utf-8")
    loaded, errors = load_keymap(known_bindings(), path, taken=ScenewrightApp.editor_keys())
    assert errors == [] and loaded == mapping
    for cls in tui_classes():
        if declared(cls):
            bindings = BindingsMap(declared(cls))
            bindings.apply_keymap(mapping)
            for binding in declared(cls):
                assert {b.id for b in bindings.key_to_bindings[mapping[binding.id]]} == {binding.id}, binding.id


def test_the_five_ids_the_key_map_did_not_know():
    """Their screens were missing from the list ``known_bindings`` used to read."""
    for binding_id in ("export.cancel", "prompt_edit.cancel", "prompt_edit.save", "request_input.cancel",
                       "request_input.choices"):
        assert binding_id in ScenewrightApp.known_bindings(ScenewrightApp.__new__(ScenewrightApp))


def expected_titles(*wheres: str) -> set[str]:
    return {palette_title(k) for k in REGISTRY.values() if k.where in wheres and palette_title(k) is not None}


def palette(app) -> set[str]:
    return {command.title for command in app.get_system_commands(app.screen)}


async def test_a_full_keymap_applies_and_the_palette_lists_every_key(open_app, script_path, settle,
                                                                       notifications, monkeypatch):
    mapping = full_keymap()
    write_keymap(mapping)
    app = open_app(script_path("INT. A - DAY\n\nMARISOL\nRain.\n"))
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        assert notifications(app) == [] and app.user_keymap == mapping
        screen = app.editor_screen
        for cls in (ScenewrightApp, type(screen), type(screen.panel)):  # every action can act
            monkeypatch.setattr(cls, "check_action", lambda self, action, parameters: True)
        screen.refresh_bindings()
        await pilot.pause()
        active = {key: b.binding.id for key, b in screen.active_bindings.items()}
        for key in keymap.keys(keymap.APP) + keymap.keys(keymap.EDITOR) + keymap.keys(keymap.SCRIPT):
            if key.is_binding:
                assert active.get(mapping[key.id]) == key.id, key.id
        completing = screen.editor.key_actions()
        for key in keymap.keys(keymap.COMPLETION):
            assert (key.action, True) in completing[mapping[key.id]], key.id
        assert screen.outline.display
        await pilot.press(mapping["editor.toggle_outline"])  # a remapped key acts
        assert screen.outline.has_focus
        active = {key: b.binding.id for key, b in screen.active_bindings.items()}
        assert active[mapping["outline.back_to_script"]] == "outline.back_to_script"

        # every key of the editor screen and its widgets in the palette, when each can act
        screen.anchors.display = True
        screen.editor.completion_items = ["MARISOL"]
        assert palette(app) >= expected_titles(keymap.APP, keymap.EDITOR, keymap.SCRIPT, keymap.COMPLETION,
                                               keymap.PANEL, keymap.ANCHORS, keymap.OUTLINE)
        monkeypatch.undo()
        screen.editor.completion_items = []
        assert "Suggestion: accept" not in palette(app)  # nothing on offer: not listed


async def test_the_palette_lists_the_keys_of_the_other_screens(open_app, script_path, settle, monkeypatch):
    from tui.screens.anchor_edit import AnchorEditScreen
    from tui.screens.external_change import ExternalChangeScreen
    from tui.screens.quit_unsaved import QuitUnsavedScreen
    from tui.screens.rate_suggestion import RateSuggestionScreen
    from tui.screens.recover import RecoverScreen
    from tui.screens.request_input import RequestInputScreen
    from tui.screens.spelling import SpellingScreen

    app = open_app(script_path("INT. A - DAY\n\nMARISOL\nRain.\n"))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        shown: set[str] = set()

        async def check(open_it) -> None:
            await open_it()
            await settle(pilot)
            modal = app.screen
            assert modal is not screen
            wheres = {w for node in [modal, *modal.query("*")] for w in scopes(type(node))}
            assert wheres, type(modal)
            assert palette(app) >= expected_titles(*wheres), type(modal)
            shown.update(wheres)
            app.pop_screen()
            await settle(pilot)

        async def push(modal) -> None:
            app.push_screen(modal)

        for modal in (QuitUnsavedScreen("?"), ExternalChangeScreen("?"), RecoverScreen("?"),
                      SpellingScreen("wrod", "a wrod", ["word"]), RateSuggestionScreen("Rain.", None, "it"),
                      AnchorEditScreen(None, taken=[], characters=["MARISOL"]),
                      RequestInputScreen("Rewrite", "How?", choices=["tighter"])):
            await check(lambda modal=modal: push(modal))

        async def key(name: str) -> None:
            await pilot.press(keymap.REGISTRY[name].keys.split(",")[0])

        for opener in ("editor.cards", "editor.dialogue_report", "editor.export", "suggest.settings",
                       "editor.edit_prompt", "editor.context_view"):
            await check(lambda opener=opener: key(opener))
        others = {k.where for k in REGISTRY.values()} - {keymap.APP, keymap.EDITOR, keymap.SCRIPT,
                                                         keymap.COMPLETION, keymap.PANEL, keymap.ANCHORS,
                                                         keymap.OUTLINE}
        assert shown >= others
