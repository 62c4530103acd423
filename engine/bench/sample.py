"""A deterministic, feature-length Fountain script for benchmarks and tests.

Benchmarks must run everywhere (the feature scripts in the shared corpus are not ours to ship),
so this writes a script of the same shape: title page, sections, scene headings with numbers,
action with emphasis, dialogue with parentheticals and extensions, dual dialogue, transitions,
notes, lyrics, centered text and the odd boneyard, in the proportions of a real screenplay.
"""

from __future__ import annotations

import random

_NAMES = ["MARGOT", "DESMOND", "JOSÉ", "ZOË", "AUNT LIDIA", "OFFICER KRUPKE", "THE BOY", "NURSE PIKE"]
_PLACES = ["KITCHEN", "DINER", "BUS DEPOT", "ROOFTOP", "MOTEL ROOM 12", "HOSPITAL CORRIDOR", "PIER"]
_TIMES = ["DAY", "NIGHT", "DUSK", "CONTINUOUS", "LATER"]
_WORDS = (
    "the a light door rain window table coffee hand street quiet voice glass car phone late "
    "looks turns waits laughs pulls slams opens stops runs almost never again slowly — "
    "she he they it old cold bright broken empty last first small long"
).split()


def _sentence(rng: random.Random, lo: int, hi: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(lo, hi))]
    if rng.random() < 0.15:
        i = rng.randrange(len(words))
        words[i] = f"*{words[i]}*" if rng.random() < 0.5 else f"**{words[i]}**"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!"])


def generate_script(lines: int = 4600, seed: int = 7) -> str:
    """About ``lines`` lines of Fountain, the same text for the same arguments."""
    rng = random.Random(seed)
    out = ["Title: The Long Night Shift", "Credit: written by", "Author: Scenewright Bench",
           "Draft date: 2026-11-28", "", ""]
    scene = 0
    while len(out) < lines:
        if scene % 12 == 0:
            out += [f"# ACT {scene // 12 + 1}", "", f"= The night turns, part {scene // 12 + 1}.", ""]
        scene += 1
        place = rng.choice(_PLACES)
        out += [f"{rng.choice(['INT.', 'EXT.', 'INT./EXT.'])} {place} - {rng.choice(_TIMES)} #{scene}#", ""]
        for _ in range(rng.randint(4, 9)):
            roll = rng.random()
            if roll < 0.3:
                out += [_sentence(rng, 8, 30) for _ in range(rng.randint(1, 3))] + [""]
            elif roll < 0.93:
                name = rng.choice(_NAMES)
                ext = rng.choice(["", "", "", " (V.O.)", " (O.S.)", " (CONT'D)"])
                dual = " ^" if rng.random() < 0.03 else ""
                out.append(f"{name}{ext}{dual}")
                if rng.random() < 0.25:
                    out.append(f"({rng.choice(['quietly', 'beat', 'to Margot', 'smiling'])})")
                out += [_sentence(rng, 3, 18) for _ in range(rng.randint(1, 3))]
                out.append("")
            elif roll < 0.95:
                out += ["[[Check this beat with the director.]]", ""]
            elif roll < 0.97:
                out += ["~Row, row, row your boat", "~gently down the stream", ""]
            else:
                out += ["> BLACK. <", ""]
        out += [rng.choice(["CUT TO:", "DISSOLVE TO:", "SMASH CUT TO:"]), ""]
        if scene % 20 == 0:
            out += ["/* An earlier version of the scene:", _sentence(rng, 8, 20), "*/", ""]
    return "\n".join(out[:lines]) + "\n"
