"""``scenewright bench parse``: full parse and per-keystroke engine work, against screenplain.

Figures are medians in milliseconds, measured in one run on the same text, so that the ratio
to the peer (screenplain, when installed) means something on a noisy machine.
"""

from __future__ import annotations

import gc
import io
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from engine.fountain import LiveParse, parse


@dataclass
class ParseBench:
    lines: int
    full_ms: float
    edit_ms: float
    peer_full_ms: float | None
    peer: str | None

    @property
    def ratio(self) -> float | None:
        return self.full_ms / self.peer_full_ms if self.peer_full_ms else None

    def as_dict(self) -> dict:
        out = asdict(self)
        out["ratio"] = self.ratio
        return out


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches and imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _screenplain() -> Callable[[str], object] | None:
    try:
        from screenplain.parsers import fountain as screenplain_fountain
    except ImportError:
        return None
    return lambda text: screenplain_fountain.parse(io.StringIO(text))


def keystroke_ms(text: str, edits: int = 200, seed: int = 1) -> float:
    """Median engine work after one keystroke: apply a one-character edit at a random place
    (typing, a newline, or a backspace) and compute that line's highlight spans."""
    live = LiveParse(text)
    rng = random.Random(seed)
    times = []
    for _ in range(edits):
        lines = live.lines
        row = rng.randrange(len(lines))
        col = rng.randint(0, len(lines[row]))
        roll = rng.random()
        start = time.perf_counter()
        if roll < 0.8:
            live.replace((row, col), (row, col), rng.choice("abcdefgh XYZ.,"))
        elif roll < 0.9:
            live.replace((row, col), (row, col), "\n")
        elif col > 0:
            live.replace((row, col - 1), (row, col), "")
        else:
            live.replace((row, col), (row, col), "e")
        live.line_spans(row)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def run_parse_bench(text: str, repeat: int = 21, edits: int = 200) -> ParseBench:
    gc.collect()
    full = _median_ms(lambda: parse(text), repeat)
    edit = keystroke_ms(text, edits)
    peer = _screenplain()
    peer_ms = _median_ms(lambda: peer(text), repeat) if peer else None
    return ParseBench(text.count("\n") + (not text.endswith("\n")), full, edit, peer_ms,
                      "screenplain" if peer else None)
