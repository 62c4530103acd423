"""Steering in the panel's request path, with the real default model: the anchors stored beside
the script, the remembered prompt and the genre reach the model, for requests and for the
read-ahead alike; a malformed store is one notification, and the request still runs."""

from __future__ import annotations

from engine.steering import Anchor, AnchorStore
from engine.session import GenerationSettings

SCENE = """\
Title: The Bakery
Genre: Thriller

INT. LA ESTRELLA BAKERY - NIGHT

Flour hangs in the air. MARISOL (40s) kneads dough under a buzzing light.

MARISOL
Tell them we close at six.

"""


def store_with(path, *anchors: Anchor) -> AnchorStore:
    store = AnchorStore.for_script(path)
    for anchor in anchors:
        store.add(anchor)
    store.save()
    return store


async def test_anchor_beside_the_script_reaches_the_model(open_app, script_path, generation_engine, settle):
    path = script_path(SCENE)
    store_with(path, Anchor("beat-debt", "beat", "Marisol owes the landlord three months of rent."),
               Anchor("char-jose", "character", "José hides a letter from the bank.", keys=("JOSÉ",)))
    app = open_app(path, engine=generation_engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        screen.editor.move_cursor(screen.editor.document.end)
        screen.panel.apply_settings(GenerationSettings(max_tokens=4))
        await pilot.press("ctrl+j")
        await settle(pilot)
        context = screen.panel.suggestion.context
        rendered = context.rendered
        assert rendered is not None
        assert rendered.anchors == ("beat-debt",)  # the keyed one: JOSÉ is not in the text
        assert "Marisol owes the landlord three months of rent." in context.prompt
        assert "José hides a letter" not in context.prompt
        assert rendered.genre and "thriller" in rendered.genre.lower()
        assert "Thriller" in context.prompt or "thriller" in context.prompt
        done = screen.panel.suggestion.shown
        assert done.finished


async def test_read_ahead_warms_the_prefix_the_request_uses(
    open_app, script_path, generation_engine, settle, wait_until
):
    path = script_path(SCENE.replace("The Bakery", "The Bakery, read ahead"))
    store_with(path, Anchor("world-curfew", "world", "A curfew empties the streets at ten."))
    app = open_app(path, engine=generation_engine, warm_model=True)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        panel = screen.panel
        panel.apply_settings(GenerationSettings(max_tokens=4))
        end = screen.editor.document.end
        screen.editor.move_cursor(end)
        await wait_until(pilot, lambda: panel.primed_at == end and not panel.busy, "the read-ahead")
        await pilot.press("ctrl+j")
        await settle(pilot)
        suggestion = panel.suggestion
        assert "A curfew empties the streets at ten." in suggestion.context.prompt
        stats = suggestion.shown.stats
        assert stats.cached_tokens >= stats.prompt_tokens - 1  # the anchors were in the read-ahead too


async def test_malformed_store_is_one_notification_and_the_request_runs(
    open_app, script_path, generation_engine, settle, notifications
):
    path = script_path(SCENE)
    AnchorStore.for_script(path).path.write_text("[[anchors]]\nid = 3\n", encoding="utf-8")
    app = open_app(path, engine=generation_engine)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.editor_screen
        screen.editor.move_cursor(screen.editor.document.end)
        screen.panel.apply_settings(GenerationSettings(max_tokens=3))
        for _ in range(2):
            await pilot.press("ctrl+j")
            await settle(pilot)
        problems = [n for n in notifications(app) if n.startswith("Prompt problems")]
        assert len(problems) == 1, problems
        assert "anchors not used" in problems[0] and ".anchors.toml" in problems[0]
        assert screen.panel.suggestion.context is not None  # the request ran without anchors
