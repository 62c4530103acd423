"""A suggestion's life, from the request to the edit log, without a UI.

* :class:`SuggestionSession` (``session``): owns the settings, the suggestion on show and its
  alternatives, blind A/B pairing, the model's state and every decision; the editor's panel
  draws it, ``scenewright continue`` and ``scenewright serve`` run it in their own thread.
* ``settings``: :class:`GenerationSettings`, the writer's sampling choices and model.
* ``suggestion``: :class:`Suggestion`, :class:`Alternative`, :class:`SuggestionRecord`,
  :class:`Rating`, :class:`Offer`.
* ``steering``: :class:`ScriptSteering` (the script's anchors and prompt) and
  :func:`steered_request`, the one place a request is made.
* ``blind_ab``: :class:`BlindAB` (what a request is compared with) and :class:`BlindPair`.
* ``feed``: engine events to session steps; ``updates``: decisions and problems told.
* ``recording``: :class:`EditRecording` (the editor's edit log) and :func:`request_fields`, what a
  request row holds, for every recorder.
"""

from .blind_ab import BlindAB, BlindABError, BlindPair
from .feed import Feed
from .session import Job, Recorder, SuggestionSession
from .settings import MAX_ALTERNATIVES, SAMPLING_FIELDS, SHAPE_FIELDS, GenerationSettings, resolved_sampling
from .steering import RequestInputs, ScriptSteering, steered_request
from .suggestion import Alternative, Offer, Rating, Suggestion, SuggestionRecord, first_line
from .updates import Accepted, Picked, Rated, Rejected, Retried, Shown, Told

__all__ = [
    "Accepted", "Alternative", "BlindAB", "BlindABError", "BlindPair", "Feed", "GenerationSettings", "Job",
    "MAX_ALTERNATIVES", "Offer", "Picked", "Rated", "Rating", "Recorder", "Rejected", "RequestInputs", "Retried",
    "SAMPLING_FIELDS", "SHAPE_FIELDS", "ScriptSteering", "Shown", "Suggestion", "SuggestionRecord",
    "SuggestionSession", "Told", "first_line", "resolved_sampling", "steered_request",
]
