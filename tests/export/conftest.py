"""Fixtures of the export tests: a small script written for them (no corpus text copied)."""

from __future__ import annotations

import pytest


SMALL = """Title: The **Lighthouse**
Credit: written by
Author: Ada Quill
Contact:
    12 Harbour Row
    Porthleven
Draft date: 1 March 2025

# Act One

= Mara finds the logbook.

INT. LIGHTHOUSE - NIGHT #1#

Rain hammers the glass. MARA (40s) climbs the stairs. [[check her age]]

MARA
(breathless)
Who keeps a light burning out here?

TOM (O.S.)
Someone who likes <visitors> & tea.

/* An old version of the scene:
MARA
Hello? */

EXT. CLIFF PATH - DAY

Mara and Tom walk the path.

MARA
Tell me the truth.

TOM ^
I always do.

CUT TO:

INT. LIGHTHOUSE - NIGHT

The lamp turns. Tom alone.

TOM
She'll be back.
~Bring her home, the tide,
~bring her home.

>THE END<
"""


@pytest.fixture
def small() -> str:
    return SMALL

