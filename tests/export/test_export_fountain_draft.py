"""Fountain drafts: a clean copy that parses to the same elements, minus what was dropped."""

from __future__ import annotations

import pytest

from engine.export import DraftOptions, fountain_draft
from engine.export.fountain_draft import AI_NOTE, NO_AI_TEXT, AILabelError, ai_title_line, draft
from engine.fountain import Kind, parse


def kinds_and_text(text: str, drop: tuple[Kind, ...] = ()) -> list[tuple]:
    return [(e.kind, e.text, e.scene_number, e.name, e.dual, e.key) for e in parse(text).elements if e.kind not in drop]


def test_plain_draft_is_the_script(small):
    assert fountain_draft(small) == small


def test_dropping_keeps_every_other_element(small):
    options = DraftOptions(drop_notes=True, drop_boneyard=True, drop_sections=True, drop_synopses=True)
    draft = fountain_draft(small, options)
    dropped = (Kind.NOTE, Kind.BONEYARD, Kind.SECTION, Kind.SYNOPSIS)
    assert kinds_and_text(draft) == kinds_and_text(small, dropped)
    assert "[[" not in draft and "/*" not in draft and "# Act" not in draft and "= Mara" not in draft
    assert "\n\n\n" not in draft  # no runs of blank lines where things were


def test_each_drop_alone(small):
    for flag, kind in (("drop_notes", Kind.NOTE), ("drop_boneyard", Kind.BONEYARD),
                       ("drop_sections", Kind.SECTION), ("drop_synopses", Kind.SYNOPSIS)):
        draft = fountain_draft(small, DraftOptions(**{flag: True}))
        assert kinds_and_text(draft) == kinds_and_text(small, (kind,)), flag


def test_number_scenes_keeps_given_numbers(small):
    draft = fountain_draft(small, DraftOptions(number_scenes=True))
    numbers = [e.scene_number for e in parse(draft).elements if e.kind is Kind.SCENE_HEADING]
    assert numbers == ["1", "2", "3"]
    assert [e.text for e in parse(draft).elements if e.kind is Kind.SCENE_HEADING] == \
        ["INT. LIGHTHOUSE - NIGHT", "EXT. CLIFF PATH - DAY", "INT. LIGHTHOUSE - NIGHT"]


def test_draft_date_replaces_or_adds_the_key(small):
    draft = fountain_draft(small, DraftOptions(draft_date="9 May 2025"))
    title = {e.key: e.text for e in parse(draft).elements if e.kind is Kind.TITLE}
    assert title["Draft date"] == "9 May 2025" and title["Author"] == "Ada Quill"
    bare = fountain_draft("INT. ROOM - DAY\n\nA chair.\n", DraftOptions(draft_date="today"))
    elements = parse(bare).elements
    assert (elements[0].kind, elements[0].key, elements[0].text) == (Kind.TITLE, "Draft date", "today")
    assert [e.kind for e in elements[1:]] == [Kind.SCENE_HEADING, Kind.ACTION]


def test_ai_labels_as_notes_after_each_touched_paragraph(small):
    start = small.index("Who keeps")
    spans = [(start, start + 9), (small.index("The lamp turns"), small.index("The lamp turns") + 5)]
    draft = fountain_draft(small, DraftOptions(label_ai="notes"), spans)
    assert draft.count(AI_NOTE) == 2
    assert "Who keeps a light burning out here? " + AI_NOTE in draft
    assert "The lamp turns. Tom alone. " + AI_NOTE in draft
    # the labels are notes: every other element is unchanged
    assert kinds_and_text(draft, (Kind.NOTE,)) == kinds_and_text(small, (Kind.NOTE,))


def test_ai_label_on_the_title_page(small):
    start = small.index("Who keeps")
    labelled = fountain_draft(small, DraftOptions(label_ai="title"), [(start, start + len("Who keeps a light"))])
    notes = [e.text for e in parse(labelled).elements if e.kind is Kind.TITLE and e.key == "Notes"]
    assert len(notes) == 1 and "AI-assisted" in notes[0] and "%" in notes[0]
    bare = draft("INT. ROOM - DAY\n\nA chair.\n", DraftOptions(label_ai="title"), [(17, 25)])
    assert bare.remarks == () and parse(bare.text).elements[0].key == "Notes"
    assert "about 40% of the words" in bare.text  # "A chair." is 2 of the 5 words


@pytest.mark.parametrize("label", ["notes", "title"])
def test_ai_labels_are_refused_when_unknown_and_absent_without_ai_text(small, label):
    with pytest.raises(AILabelError, match="not known .no provenance record"):
        fountain_draft(small, DraftOptions(label_ai=label))  # spans None: nothing says which text
    for spans in ([], [(0, 0)]):  # a record without AI text
        made = draft(small, DraftOptions(label_ai=label), spans)
        assert made.text == small and made.remarks == (NO_AI_TEXT,)
    # spans that cover no printed paragraph (here the section heading) give no note either
    section = small.index("# Act One")
    made = draft(small, DraftOptions(label_ai="notes"), [(section, section + 9)])
    assert made.text == small and "in no printed paragraph" in made.remarks[0]


@pytest.mark.parametrize("notes", ["Notes: For the festival.", "notes:\n\tFor the festival.\n\tShort cut."])
def test_the_ai_title_line_joins_an_existing_notes_key(small, notes):
    script = small.replace("Draft date:", notes + "\nDraft date:")
    start = script.index("Who keeps")
    made = draft(script, DraftOptions(label_ai="title", draft_date="3 April"), [(start, start + 9)])
    title = [e for e in parse(made.text).elements if e.kind is Kind.TITLE]
    keyed = [e for e in title if e.key.casefold() == "notes"]
    assert len(keyed) == 1 and made.text.casefold().count("notes:") == 1
    before = [e.text for e in parse(script).elements if e.kind is Kind.TITLE and e.key.casefold() == "notes"][0]
    assert keyed[0].text == before + "\n" + ai_title_line(script, [(start, start + 9)])
    assert "\n\tAI-assisted draft" in made.text if "\t" in notes else "\n    AI-assisted draft" in made.text
    assert {e.key: e.text for e in title}["Draft date"] == "3 April"
    # the rest of the script is untouched
    assert kinds_and_text(made.text, (Kind.TITLE,)) == kinds_and_text(script, (Kind.TITLE,))


def test_corpus_scripts_round_trip(corpus):
    for path in sorted((corpus / "screenplain" / "examples").glob("*.fountain")):
        text = path.read_text(encoding="utf-8-sig")
        assert kinds_and_text(fountain_draft(text)) == kinds_and_text(text)
        dropped = fountain_draft(text, DraftOptions(True, True, True, True))
        assert kinds_and_text(dropped) == kinds_and_text(text, (Kind.NOTE, Kind.BONEYARD, Kind.SECTION, Kind.SYNOPSIS)), path.name
