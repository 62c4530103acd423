"""The anchors panel, the prompt picker and the context view, driven by Pilot with real files
(the ``.anchors.toml`` beside the script) and the default model's real tokenizer."""

from __future__ import annotations

from engine.generation import GenerationEngine
from engine.steering import Anchor, AnchorStore, Scope
from tui.screens.anchor_edit import AnchorEditScreen
from tui.screens.context_view import ContextViewScreen

SCENE = """\
Title: The Bakery
Genre: Thriller

INT. LA ESTRELLA BAKERY - NIGHT

Flour hangs in the air. MARISOL (40s) kneads dough under a buzzing light.

JOSÉ
The tow truck is outside.

MARISOL
Tell them we close at six.

"""


def saved(path) -> AnchorStore:
    """The store as it is on disk now."""
    return AnchorStore.for_script(path)


async def open_anchors(pilot, settle) -> None:
    await settle(pilot)
    screen = pilot.app.editor_screen
    screen.editor.move_cursor(screen.editor.document.end)
    await pilot.press("f2")
    await settle(pilot)


async def test_add_a_character_anchor_from_the_script_names(open_app, script_path, settle, wait_until):
    path = script_path(SCENE)
    app = open_app(path, engine=GenerationEngine())
    async with app.run_test(size=(160, 40)) as pilot:
        await open_anchors(pilot, settle)
        screen = app.editor_screen
        panel = screen.anchors
        assert panel.display and panel.table.has_focus
        assert "No anchors yet" in str(panel.query_one("#anchors-detail").render())
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, AnchorEditScreen)
        form.query_one("#anchor-kind").value = "character"
        await pilot.pause()
        assert form.query_one("#anchor-character-row").display  # the script's names are offered
        assert sorted(form.characters) == ["JOSÉ", "MARISOL"]
        form.query_one("#anchor-character").value = "MARISOL"
        await pilot.pause()
        assert form.query_one("#anchor-keys").value == "MARISOL"
        await pilot.press(*"wants to keep the bakery at any cost.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        anchors = saved(path).anchors
        assert [(a.kind, a.keys, a.text) for a in anchors] == [
            ("character", ("MARISOL",), "Marisol wants to keep the bakery at any cost.")]
        # MARISOL is in the recent text: the anchor is in the next prompt, and marked so
        await wait_until(pilot, lambda: panel.selection is not None and panel.selection.ids, "the marks")
        assert panel.table.get_row_at(0)[0] == "▶"
        assert "1 in the next prompt" in str(panel.query_one("#anchors-title").render())


async def test_toggle_edit_filter_and_delete(open_app, script_path, settle, wait_until):
    path = script_path(SCENE)
    store = AnchorStore.for_script(path)
    store.add(Anchor("beat-debt", "beat", "Marisol owes three months of rent."))
    store.add(Anchor("world-curfew", "world", "A curfew empties the streets at ten.", Scope("scene", "1")))
    store.add(Anchor("char-ghost", "character", "Nobody named GHOST speaks here.", keys=("GHOST",)))
    store.save()
    app = open_app(path, engine=GenerationEngine())
    async with app.run_test(size=(160, 40)) as pilot:
        await open_anchors(pilot, settle)
        panel = app.editor_screen.anchors
        await wait_until(pilot, lambda: panel.selection is not None, "the marks")
        marks = [panel.table.get_row_at(i)[0] for i in range(3)]
        assert marks == ["▶", "▶", ""]  # GHOST is not in the recent text
        assert "none of its keys" in panel.selection.reason_for("char-ghost")

        await pilot.press("space")  # the highlighted first one goes off
        await settle(pilot)
        assert saved(path).get("beat-debt").enabled is False
        await wait_until(pilot, lambda: panel.table.get_row_at(0)[0] == "", "the marks again")
        assert panel.table.get_row_at(0)[1] == "·"

        await pilot.press("k", "k")  # kind filter: all -> character -> beat
        assert panel.kind_filter == "beat" and [a.id for a in panel.visible()] == ["beat-debt"]
        await pilot.press("k", "k", "k")  # world, style, all
        assert panel.kind_filter is None
        await pilot.press("o", "o", "o")  # scope filter: script, section, scene
        assert [a.id for a in panel.visible()] == ["world-curfew"]
        await pilot.press("o")
        assert len(panel.visible()) == 3

        await pilot.press("down", "e")  # edit the curfew: a bad scope is named, the form stays
        form = app.screen
        assert isinstance(form, AnchorEditScreen)
        form.query_one("#anchor-scope").value = "chapter:one"
        await pilot.press("ctrl+s")
        assert app.screen is form and "scope" in str(form.query_one("#anchor-error").render())
        form.query_one("#anchor-priority").value = "5"
        form.query_one("#anchor-scope").value = "script"
        await pilot.press("ctrl+s")
        await settle(pilot)
        curfew = saved(path).get("world-curfew")
        assert (curfew.priority, str(curfew.scope)) == (5, "script")

        await pilot.press("x")  # delete the highlighted curfew
        await settle(pilot)
        assert saved(path).ids() == ["beat-debt", "char-ghost"]
        await pilot.press("escape")
        assert app.editor_screen.editor.has_focus


async def test_prompt_picker_remembers_the_choice(open_app, script_path, settle):
    path = script_path(SCENE)
    app = open_app(path, engine=GenerationEngine())
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f12")
        await pilot.press(*"dialog")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert saved(path).settings.prompt == "dialogue"
        assert app.editor_screen.steering.steer(SCENE, (10, 0)).prompt.id == "dialogue"
    app = open_app(path, engine=GenerationEngine())  # opened again: still the dialogue prompt
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        assert app.editor_screen.steering.steer(SCENE, (10, 0)).prompt.id == "dialogue"


async def test_context_view_shows_sections_anchors_and_genre(open_app, script_path, settle):
    path = script_path(SCENE)
    store = AnchorStore.for_script(path)
    store.add(Anchor("beat-debt", "beat", "Marisol owes three months of rent."))
    store.save()
    app = open_app(path, engine=GenerationEngine())
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        app.editor_screen.editor.move_cursor(app.editor_screen.editor.document.end)
        await pilot.press("f9")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, ContextViewScreen) and view.error is None, view.error
        rendered = view.rendered
        titles = [str(w.render()) for w in view.query(".section-title")]
        assert [t.split(" · ")[0] for t in titles] == [s.name.capitalize() for s in rendered.sections]
        assert all(t.endswith(" tokens") for t in titles)
        assert sum(s.tokens for s in rendered.sections) > 0
        texts = "\n".join(str(w.render()) for w in view.query(".section-text"))
        assert "Marisol owes three months of rent." in texts and "Thriller" in texts
        assert rendered.anchors == ("beat-debt",)
        assert "Nothing was trimmed" in str(view.query_one("#context-trimmed").render())
        await pilot.press("escape")
        assert app.screen is app.editor_screen
