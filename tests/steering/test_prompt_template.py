"""The template language: slots, optional blocks, sections and the order that keeps the prefix stable."""

from __future__ import annotations

import pytest

from engine.steering.template import TemplateError, parse_template


def test_slots_render_into_named_sections():
    t = parse_template("Genre: {{genre}}\n\n{{#anchors}}Notes:\n{{anchors}}\n\n{{/anchors}}Script:\n{{script}}")
    sections = t.render({"genre": "Noir", "anchors": "- Beat: x", "script": "INT. BAR - NIGHT"})
    assert sections == [
        ("instructions", "Genre: Noir\n\n"),
        ("anchors", "Notes:\n- Beat: x\n\n"),
        ("script", "Script:\nINT. BAR - NIGHT"),
    ]
    assert t.slots == ("genre", "anchors", "script")


def test_empty_block_disappears_and_inverted_block_fills_in():
    t = parse_template(
        "[{{genre}}{{^genre}}Screenplay{{/genre}}]\n{{#anchors}}Notes:\n{{anchors}}\n{{/anchors}}{{script}}"
    )
    assert "".join(text for _, text in t.render({"script": "X"})) == "[Screenplay]\nX"
    assert [name for name, _ in t.render({"script": "X"})] == ["instructions", "script"]
    assert "".join(text for _, text in t.render({"genre": "Noir", "script": "X"})) == "[Noir]\nX"


def test_blank_lines_stay_with_the_section_before_and_labels_go_with_the_slot_after():
    t = parse_template("{{genre}}\n\nScene:\n{{scene}}\n\nDialogue:\n")
    assert t.render({"genre": "Noir", "scene": "EXT. PIER"}) == [
        ("instructions", "Noir\n\n"),
        ("script", "Scene:\nEXT. PIER\n\nDialogue:\n"),
    ]


@pytest.mark.parametrize(
    "source, line, words",
    [
        ("{{genre}}\n\n{{genere}}", 3, "unknown slot {{genere}}"),
        ("{{genre}}\n{{#anchors}}\n{{anchors}}\n", 2, "never closed"),
        ("{{genre}}\n{{/anchors}}", 2, "closes no open block"),
        ("{{genre}}\n{{script}}\n{{anchors}}", 3, "must come before {{script}}"),
        ("{{genre}}\n{{selection}}\n{{examples}}", 3, "must come before {{selection}}"),
        ("{{genre}}\nstray {{ brace\n{{script}}", 2, "unbalanced braces"),
    ],
)
def test_mistakes_name_the_line(source, line, words):
    with pytest.raises(TemplateError) as info:
        parse_template(source)
    assert info.value.line == line
    assert words in info.value.message


def test_script_and_request_slots_may_interleave():
    t = parse_template("{{genre}}{{previous}}\nBeat: {{beat}}\n{{scene}}")
    assert [n for n, _ in t.render({"genre": "g", "previous": "p", "beat": "b", "scene": "s"})] == [
        "instructions",
        "script",
        "request",
        "script",
    ]
