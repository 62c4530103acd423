"""The suggestion panel: continuations from the model, streamed beside the script.

The panel draws a :class:`~engine.session.SuggestionSession`, which owns the request's life
(steering, settings, alternatives, blind A/B pairing, decisions and their recording): the editor
screen owns the keys and the script, the session owns the requests, the panel owns the screen.

* Each job the session starts runs in a thread worker (group ``generate``, exclusive; a model
  load in group ``load-model``) that turns the engine's events into the session's steps
  (:class:`~engine.session.feed.Feed`) and posts each as a message (:mod:`tui.generation_feed`);
  the handlers apply it to the session on the UI thread and draw what changed. Streamed text
  travels as "the text so far" in ``TokensStreamed``, which ``can_replace`` its predecessor, so
  when tokens come faster than the screen refreshes only the newest is drawn; :class:`StreamText`
  lays out again only when the text gains a line.
* A job has ended when its worker has: the panel tells the session then (``Worker.StateChanged``),
  and only then does a blind comparison's second side start.
* The session's decisions (shown, accepted, rejected, retried, rated, picked) go to its recorder
  (the app's edit log) and come back here as updates, which the panel posts as
  ``SuggestionShown`` / ``SuggestionAccepted`` / ... messages (:mod:`tui.messages`) for the
  screen and the app; problems with the prompt or anchors become a notification.
* The model line names the prompt in use: the one the shown suggestion was asked with (a rewrite
  or a beat uses another prompt than the script's), else the script's remembered prompt, the one
  the next request uses; ``p`` in the panel chooses another.

``SuggestionPanel`` (``panel``: the session's wiring, the workers, the message handlers) has
each idea as a base class: the drawing (``view``), its keys (``keys``) and the key-hint line
(``hints``).
"""

from .panel import WARM_LOAD_DELAY_S, SuggestionPanel
from .view import ENDINGS, LOAD_STAGES, MIN_TITLE

__all__ = ["ENDINGS", "LOAD_STAGES", "MIN_TITLE", "WARM_LOAD_DELAY_S", "SuggestionPanel"]
