"""Rendering prompts: stable section order, genre in every prompt, prefix stability, trimming, examples."""

from __future__ import annotations

import json

import pytest

from engine.fountain import parse
from engine.steering.anchors import anchor_from_dict, select_anchors
from engine.steering.examples import collect_examples
from engine.steering.prompts import load_library, save_new_version
from engine.steering.render import prepare_prompt, render_prompt
from engine.steering.store import AnchorStore, StoreSettings, store_path
from engine.steering.structure import ScriptMap

ORDER = ["instructions", "anchors", "examples", "script", "request"]


def lines_of(text):
    return text.split("\n")


def row_of(text, line):
    return lines_of(text).index(line)


def anchors():
    return [
        anchor_from_dict(
            {
                "id": "marisol",
                "kind": "character",
                "keys": ["Marisol"],
                "priority": 5,
                "text": "Marisol never lets anyone eat alone; she feeds people to keep them close.",
            }
        ),
        anchor_from_dict(
            {
                "id": "towed",
                "kind": "beat",
                "scope": "scene:3",
                "text": "José admits he towed the car the kid was living in.",
            }
        ),
        anchor_from_dict({"id": "rain", "kind": "world", "text": "It rains all night."}),
    ]


def without_genre(text):
    """The example without its title page's Genre and Tone."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(("Genre:", "Tone:")))


def with_genre(text, genre="Drama", tone="Tender, wry"):
    return without_genre(text).replace("Title: Night Shift\n", f"Title: Night Shift\nGenre: {genre}\nTone: {tone}\n", 1)


def marked(text, heading="INT. LA ESTRELLA BAKERY - NIGHT #1#"):
    return text.replace(heading + "\n", heading + "\n\n[[example]]\n", 1)


def render(prompt_id, text, row, count_tokens, budget=None, col=None, **kw):
    prompt = load_library().get(prompt_id)
    sel = select_anchors(anchors(), text, row, 400, count_tokens)
    examples, _ = collect_examples(ScriptMap.build(text), row)
    return render_prompt(
        prompt, text, row, sel, examples, cursor_col=col, count_tokens=count_tokens, budget_tokens=budget, **kw
    )


def test_sections_come_in_the_stable_order(example_text, count_tokens):
    text = with_genre(marked(example_text))
    row = row_of(text, "It was on the list.")
    for prompt in load_library().all():
        r = render(
            prompt.id,
            text,
            row,
            count_tokens,
            selection_text="JOSÉ\nIt was on the list.",
            instruction="Make him defensive.",
            beat="Teo runs away from the van.",
        )
        names = [s.name for s in r.sections]
        assert names[:4] == ["instructions", "anchors", "examples", "script"], (prompt.id, names)
        assert names == (ORDER if prompt.kind in ("rewrite", "alternatives", "beat") else ORDER[:4])
        assert r.text == "".join(s.text for s in r.sections)
        assert all(s.tokens == count_tokens(s.text) for s in r.sections)
        assert r.tokens == count_tokens(r.text)
        assert "Drama" in r.section("instructions").text and "Tender, wry" in r.section("instructions").text
        assert r.ref == (prompt.id, prompt.version)


def test_genre_and_tone_from_the_title_page_or_the_store(example_text):
    row = row_of(example_text, "It was on the list.")
    prompt = load_library().get("dialogue")
    plain = render_prompt(prompt, without_genre(example_text), row_of(without_genre(example_text), "It was on the list."))
    assert plain.genre is None and plain.text.startswith("[Screenplay]\n")
    titled = render_prompt(prompt, with_genre(example_text, "Comedy"), row)
    assert (titled.genre, titled.tone) == ("Comedy", "Tender, wry") and titled.text.startswith(
        "[Comedy] Tone: Tender, wry."
    )
    overridden = render_prompt(
        prompt, with_genre(example_text, "Comedy"), row, settings=StoreSettings(genre="Melodrama")
    )
    assert overridden.genre == "Melodrama" and overridden.tone == "Tender, wry"


def test_anchors_enter_the_anchors_section_in_selection_order(example_text, count_tokens):
    row = row_of(example_text, "It was on the list.")
    r = render("continue", example_text, row, count_tokens)
    assert r.anchors == ("towed", "rain", "marisol")  # constant ones first, then by priority
    block = r.section("anchors").text
    assert block.index("Beat: José admits") < block.index("World: It rains") < block.index("Character: Marisol")
    assert dict(r.anchor_reasons)["marisol"] == "whole script; key 'Marisol' in the recent text"


def test_prefix_is_stable_after_a_small_edit_at_the_cursor(example_text, count_tokens):
    text = with_genre(marked(example_text))
    row = row_of(text, "It was on the list.")
    edited_lines = lines_of(text)
    edited_lines[row] = "It was on the list, okay? Rules."
    edited = "\n".join(edited_lines)
    for prompt_id in ("continue", "dialogue", "rewrite", "beat"):
        kw = dict(selection_text="It was on the list.", instruction="Harder.", beat="Teo runs.")
        one = render(prompt_id, text, row, count_tokens, **kw)
        two = render(prompt_id, edited, row, count_tokens, **kw)
        k = [s.name for s in one.sections].index("script")
        assert one.sections[:k] == two.sections[:k], prompt_id
        assert one.prefix == two.prefix and one.text != two.text
        # ...and at the level of tokens, which is what llama.cpp's prefix cache compares
        a, b = count_tokens.tokenize(one.text, True), count_tokens.tokenize(two.text, True)
        shared = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        assert shared >= len(count_tokens.tokenize(one.prefix, True)) - 1, prompt_id


def test_prefix_and_cut_are_stable_while_trimming(example_text, count_tokens):
    text = with_genre(example_text)
    row = row_of(text, "It was on the list.")
    full = render("continue", text, row, count_tokens)
    scene3 = row_of(text, "INT. LA ESTRELLA BAKERY - LATER #3#")
    # a budget that fits the prompt from scene 3 on, with a little room, but not from scene 2
    r = full
    while r.trimmed.first_line != scene3:  # one token less than the last fit drops the next scene
        r = render("continue", text, row, count_tokens, budget=r.tokens - 1)
        assert r.trimmed.first_line <= scene3
    budget = r.tokens + 10
    one = render("continue", text, row, count_tokens, budget=budget)
    assert one.trimmed.first_line == scene3 and one.fits and one.tokens <= budget
    edited = lines_of(text)
    edited[row] += " Rules."
    two = render("continue", "\n".join(edited), row, count_tokens, budget=budget)
    assert two.trimmed.first_line == scene3 and two.prefix == one.prefix


def test_script_is_trimmed_at_scene_boundaries(example_text, count_tokens):
    text = with_genre(example_text)
    row = row_of(text, "Nobody is off.")
    full = render("continue", text, row, count_tokens)
    assert full.trimmed.script_chars == 0 and full.fits
    budget = full.tokens - 150
    r = render("continue", text, row, count_tokens, budget=budget)
    assert r.fits and r.tokens <= budget and r.budget == budget
    first = r.trimmed.first_line
    assert parse(text).line_kinds[first].value == "scene_heading"
    script = r.section("script").text
    body = script.split("The screenplay:\n\n", 1)[1]
    assert body.startswith(lines_of(text)[first] + "\n")
    assert r.trimmed.scenes >= 1 and r.trimmed.script_lines == first - ScriptMap.build(text).body_start
    assert r.section("instructions") == full.section("instructions")
    assert r.section("anchors").text == full.section("anchors").text
    assert r.to_dict()["trimmed"]["first_line"] == first + 1


def test_a_scene_too_long_alone_keeps_its_heading(count_tokens):
    body = "\n\n".join(f"Paragraph {i}: the rain keeps coming down on the tin roof." for i in range(60))
    text = f"Title: Long\nGenre: Noir\n\nINT. SHED - NIGHT\n\n{body}\n"
    row = len(lines_of(text)) - 2
    r = render("continue", text, row, count_tokens, budget=200)
    assert r.fits and r.tokens <= 200
    script = r.section("script").text
    assert "INT. SHED - NIGHT\n\nParagraph" in script and "Paragraph 59" in script and "Paragraph 0:" not in script
    assert r.trimmed.script_chars > 0


def test_instructions_alone_too_long_is_reported(example_text, count_tokens):
    r = render("continue", example_text, 70, count_tokens, budget=20)
    assert not r.fits


def test_examples_marked_in_the_script_come_before_the_target(example_text, count_tokens):
    text = marked(example_text)
    row = row_of(text, "It was on the list.")
    r = render("dialogue", text, row, count_tokens)
    examples = r.section("examples").text
    assert "INT. LA ESTRELLA BAKERY - NIGHT #1#" in examples and "Rise, you lazy thing." in examples
    assert "[[example]]" not in examples and "[[Keep the radio audible" in examples
    assert r.examples == ("scene 1 (INT. LA ESTRELLA BAKERY - NIGHT)",)
    assert r.text.index(examples) < r.text.index("Scene:\nINT. LA ESTRELLA BAKERY - LATER")


def test_the_scene_at_the_cursor_is_not_its_own_example(example_text, count_tokens):
    text = marked(example_text, "INT. LA ESTRELLA BAKERY - LATER #3#")
    row = row_of(text, "It was on the list.")
    r = render("dialogue", text, row, count_tokens)
    assert r.section("examples") is None and r.examples == ()


def test_examples_listed_in_the_store_and_from_another_file(script, tmp_path, count_tokens):
    style = tmp_path / "style.fountain"
    style.write_text("INT. DINER - DAY\n\nWAITRESS\nMore coffee, hon?\n\nEXT. ROAD - NIGHT\n\nHeadlights.\n", "utf-8")
    store = AnchorStore.for_script(script)
    store.update_settings(examples=["2", "INT. DELIVERY VAN - MOVING - DAWN"], examples_file="style.fountain")
    store.save()
    text = script.read_text("utf-8")
    rendered, problems = prepare_prompt(
        text,
        (row_of(text, "It was on the list."), None),
        script_path=script,
        prompt="dialogue",
        count_tokens=count_tokens,
        budget_tokens=3000,
    )
    assert problems == []
    assert rendered.examples == (
        "scene 2 (EXT. FIFTH STREET TOW LOT - CONTINUOUS)",
        "scene 5 (INT. DELIVERY VAN - MOVING - DAWN)",
        "style.fountain scene 1 (INT. DINER - DAY)",
        "style.fountain scene 2 (EXT. ROAD - NIGHT)",
    )
    assert "More coffee, hon?" in rendered.section("examples").text


def test_examples_over_their_budget_are_left_out(script, count_tokens):
    store = AnchorStore.for_script(script)
    store.update_settings(examples=["1", "2"], examples_budget=120)
    store.save()
    text = script.read_text("utf-8")
    rendered, _ = prepare_prompt(
        text,
        (row_of(text, "It was on the list."), None),
        script_path=script,
        prompt="continue",
        count_tokens=count_tokens,
        budget_tokens=3000,
    )
    assert rendered.examples == () and rendered.trimmed.examples[-1].startswith("scene 2")
    assert count_tokens("") == 0


def test_cursor_column_cuts_the_line(example_text, count_tokens):
    row = row_of(example_text, "It was on the list.")
    r = render("continue", example_text, row, count_tokens, col=len("It was"))
    assert r.section("script").text.endswith("JOSÉ\nIt was")


def test_dialogue_prompt_splits_context_and_scene(example_text, count_tokens):
    row = row_of(example_text, "There's a kid sleeping in the blue sedan.")
    r = render("dialogue", example_text, row, count_tokens)
    script = r.section("script").text
    context, scene = script.split("\n\nScene:\n")
    assert context.startswith("Context:\n# ACT ONE") and context.rstrip().endswith("CUT TO:")
    assert scene == (
        "INT. LA ESTRELLA BAKERY - LATER #3#\n\nMarisol peels an orange in one long spiral. "
        "José watches the rain.\n\nJOSÉ\nThere's a kid sleeping in the blue sedan.\n\nDialogue:\n"
    )


def test_rewrite_puts_the_selection_and_instruction_after_the_script(example_text, count_tokens):
    row = row_of(example_text, "It was on the list.")
    r = render(
        "rewrite",
        example_text,
        row,
        count_tokens,
        selection_text="It was on the list.",
        instruction="Make him ashamed.",
    )
    request = r.section("request").text
    assert "Passage:\nIt was on the list." in request and "Instruction: Make him ashamed." in request
    assert r.text.endswith("following the instruction:\n")


def test_prepare_prompt_uses_the_store_beside_the_script(script, count_tokens):
    store = AnchorStore.for_script(script)
    for a in anchors():
        store.add(a)
    store.update_settings(genre="Drama")
    store.remember_prompt("dialogue")
    store.save()
    text = script.read_text("utf-8")
    rendered, problems = prepare_prompt(
        text,
        (row_of(text, "It was on the list."), None),
        script_path=script,
        count_tokens=count_tokens,
        budget_tokens=3000,
    )
    assert problems == [] and rendered.prompt_id == "dialogue"
    assert rendered.text.startswith("[Drama]") and set(rendered.anchors) == {"towed", "rain", "marisol"}
    data = json.loads(json.dumps(rendered.to_dict()))
    assert data["prompt"] == rendered.text
    assert [s["name"] for s in data["sections"]] == ["instructions", "anchors", "script"]
    assert all(isinstance(s["tokens"], int) for s in data["sections"])
    assert set(data["trimmed"]) >= {"script_chars", "first_line", "anchors", "examples"}


def test_prepare_prompt_reports_a_malformed_store_and_goes_on(script, count_tokens):
    store_path(script).write_text('[[anchors]]\nid = "a"\nkind = "plot"\ntext = "x"\n', "utf-8")
    text = script.read_text("utf-8")
    rendered, problems = prepare_prompt(
        text, (10, None), script_path=script, count_tokens=count_tokens, budget_tokens=3000
    )
    assert rendered.anchors == () and rendered.prompt_id == "continue"
    assert len(problems) == 1 and f"{store_path(script)}:3: anchors[1].kind" in problems[0]


def test_remembered_prompt_that_is_gone_falls_back_to_continue(script, count_tokens):
    store = AnchorStore.for_script(script)
    store.remember_prompt("deleted-prompt")
    store.save()
    rendered, _ = prepare_prompt("INT. X - DAY\n", (0, None), script_path=script, count_tokens=count_tokens)
    assert rendered.prompt_id == "continue"


def test_a_new_version_is_what_the_rendered_prompt_reports(example_text, count_tokens):
    original = load_library().get("continue")
    v2 = save_new_version(original, original.template_text.replace("The screenplay:", "SCREENPLAY"))
    rendered, _ = prepare_prompt(example_text, (70, None), count_tokens=count_tokens)
    assert rendered.ref == ("continue", v2.version) == ("continue", 2)
    assert "SCREENPLAY" in rendered.text
    pinned, _ = prepare_prompt(example_text, (70, None), prompt="continue@1", count_tokens=count_tokens)
    assert pinned.ref == ("continue", 1) and "The screenplay:" in pinned.text


@pytest.mark.parametrize("row", [0, 3, 8, 9, 130])
def test_any_cursor_row_renders(example_text, count_tokens, row):
    for prompt in load_library().all():
        r = render(prompt.id, example_text, row, count_tokens, budget=3000, selection_text="x", beat="y")
        assert r.fits and r.sections[0].name == "instructions"


def test_request_overrides_carry_the_prompt_sampling_stops_and_alternatives():
    from dataclasses import fields

    from engine.generation import ContinueRequest
    from engine.steering.render import request_overrides

    library = load_library()
    alt = request_overrides(library.get("alternatives"))
    assert alt["n"] == 4 and alt["extra_stop"] == ("\n\n",) and alt["temperature"] == 0.9
    names = {f.name for f in fields(ContinueRequest)}
    for prompt in library.all():
        overrides = request_overrides(prompt)
        assert set(overrides) <= names
        ContinueRequest(**overrides)


def test_the_boneyard_never_reaches_the_model(example_text, count_tokens):
    """Cut text is what the writer took out of the story: the guard dog subplot of the example
    stays out of every prompt, and the cursor's place is kept around the cut."""
    row = row_of(example_text, "It was on the list.")
    for prompt_id in ("continue", "dialogue"):
        rendered, _ = prepare_prompt(example_text, (row, None), prompt=prompt_id, count_tokens=count_tokens)
        assert "Cut for length" not in rendered.text and "guard dog" not in rendered.text
        assert "/*" not in rendered.text and "*/" not in rendered.text
        script = rendered.section("script").text
        assert script.rstrip().removesuffix("Dialogue:").rstrip().endswith("MARISOL\nAnd you towed it.\n\nJOSÉ\nIt was on the list.")
    cut = example_text.index("/* Cut for length")
    before = example_text[:cut].rstrip("\n")
    assert before.splitlines()[-1] in rendered.text  # the text around the cut is there, closed up
    assert "\n\n\n" not in rendered.section("script").text


def test_more_lines_for_a_character_do_not_change_the_prefix(example_text, count_tokens):
    """The characters line opens every prompt: it lists them by first appearance, so giving José
    the last word twice leaves the whole prefix as it was (and llama.cpp's cache with it)."""
    text = example_text.rstrip("\n").removesuffix(">THE END<").rstrip("\n").removesuffix("===").rstrip("\n")
    more = text + "\n\nJOSÉ\nOne more.\n\nJOSÉ\nAnd another.\n\nJOSÉ\nAnd the last.\n"
    first = prepare_prompt(text, (len(text.split("\n")) - 1, None), prompt="continue", count_tokens=count_tokens)[0]
    second = prepare_prompt(more, (len(more.split("\n")) - 1, None), prompt="continue", count_tokens=count_tokens)[0]
    assert first.section("instructions").text == second.section("instructions").text
    assert "Characters: MARISOL, JOSÉ, TEO" in first.text


def test_without_cuts_keeps_the_cursor_in_place():
    from engine.steering.cuts import without_cuts

    text = "A\n\n/* cut\nscene */\n\nB is here\nC /* x */ D\n"
    out, row, col = without_cuts(text, 6, 10)  # before "D"
    assert out == "A\n\nB is here\nC  D\n" and out.split("\n")[row][:col] == "C  "
    assert without_cuts(text, 5, None)[1:] == (2, 9)  # end of "B is here"
    assert without_cuts(text, 2, 3)[1:] == (2, 0)  # inside the cut: where it was
    assert without_cuts("no cuts\n", 0, 3) == ("no cuts\n", 0, 3)
    # an opener never closed is ordinary text (Fountain 1.1), so the model reads it
    assert without_cuts("A\n/* never closed\nB", 2, 1) == ("A\n/* never closed\nB", 2, 1)
