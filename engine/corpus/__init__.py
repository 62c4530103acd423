"""The training corpus: screenplays with metadata, cleaned, deduplicated, segmented and tokenised."""

from .clean import clean_fountain, clean_layout_text, looks_like_layout_text
from .segments import Segment, segments
from .store import LICENCES, TRAINABLE, Added, Corpus, CorpusError, Metadata, Unit, balanced, read_script_text

__all__ = [
    "LICENCES", "TRAINABLE", "Added", "Corpus", "CorpusError", "Metadata", "Segment", "Unit", "balanced",
    "clean_fountain", "clean_layout_text", "looks_like_layout_text", "read_script_text", "segments",
]
