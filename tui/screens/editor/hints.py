"""The editor screen's words that name keys or sum up the script: the key names in its
messages come from the key registry (``tui/keymap.py``) with the writer's key map applied, so a
remapped key is named as the writer set it; the status bar's runtime."""

from __future__ import annotations

from ...keymap import key_name


def runtime_words(seconds: float) -> str:
    """Estimated screen time as a writer says it: ``"3 min"``, ``"1 h 52 min"``."""
    minutes = max(0, int(round(seconds / 60)))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def spelling_off(app: object) -> str:
    return f"Spell checking is off ({key_name(app, 'editor.toggle_spelling')} turns it on)."


def select_first(what: str) -> str:
    """Shift+arrows and F6 are Textual's TextArea keys (not in the registry)."""
    return f"Select the passage to {what} first (Shift+arrows, or F6 for the line)."


def revision_mode(app: object, on: bool, current: str) -> str:
    if on:
        return (f"Revision mode on: lines you change are marked {current} "
                f"({key_name(app, 'editor.next_revision')} starts the next colour).")
    return f"Revision mode off: the marks stay ({key_name(app, 'editor.clear_revisions')} clears them)."


def next_revision(app: object, colour: str, mode: bool) -> str:
    return (f"Changes from now on are marked {colour}"
            + ("." if mode else f" ({key_name(app, 'editor.revision_mode')} turns revision mode on)."))
