"""The main screen: outline | script | suggestion panel, status bar, key bar.

The screen owns the open :class:`~engine.scriptfile.ScriptFile` and what happens around the
keystroke path, never on it:

* pages, runtime, the outline and the names for completion are computed 0.3 s after typing
  stops, in a thread worker (group ``stats``) working on a snapshot of the elements (``view``);
* saving and the recovery copy run in thread workers (group ``save``); an outside change to
  the file asks the writer (overwrite / reload / cancel); while there are unsaved edits a
  recovery copy is written every few seconds; opening a file that has one offers to recover
  it; quitting with unsaved edits asks first (``files``);
* the suggestion keys (continue, accept, accept line, retry, next/previous alternative,
  cancel) are bindings of this screen, so they work while the writer types (``keys``); the
  :class:`~tui.widgets.suggestion_panel.SuggestionPanel` runs the requests, this screen puts
  accepted text into the script (``requests``);
* anchors and the prompt (``steering``), spell checking (``spellcheck``), revision marks, scene
  numbers, cards, the dialogue analysis and export (``tools``); the key names in its messages
  and the status bar's words (``hints``).

``EditorScreen`` (``view``) has each idea as a base class.
"""

from .hints import runtime_words
from .requests import PRIME_DELAY_S, fit_replacement
from .steering import ANCHOR_MARKS_DELAY_S
from .view import (
    AUTOSAVE_INTERVAL_S,
    NARROW_WIDTH,
    PANEL_SHOWN_WIDTH,
    SIDE_PANEL_WIDTH,
    STATS_DELAY_S,
    EditorScreen,
)

__all__ = [
    "ANCHOR_MARKS_DELAY_S", "AUTOSAVE_INTERVAL_S", "NARROW_WIDTH", "PANEL_SHOWN_WIDTH", "PRIME_DELAY_S",
    "SIDE_PANEL_WIDTH", "STATS_DELAY_S", "EditorScreen", "fit_replacement", "runtime_words",
]
