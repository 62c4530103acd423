"""Full parse and keystroke figures against screenplain, on the generated feature script and,
when the shared corpus sits beside the checkout, on Big Fish (4,634 lines).

    python benchmarks/parse_vs_screenplain.py          # same figures as `scenewright bench parse`
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from engine.bench.parse_bench import run_parse_bench
from engine.bench.sample import generate_script
from engine.fountain.decode import decode_script

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "fountain-corpus"


def main() -> int:
    texts = {"generated (4,600 lines)": generate_script()}
    big_fish = CORPUS / "screenplain" / "examples" / "Big-Fish.fountain"
    if big_fish.exists():
        texts["Big Fish"] = decode_script(big_fish.read_bytes()).text
    failed = False
    for name, text in texts.items():
        result = run_parse_bench(text)
        print(json.dumps({"script": name, **result.as_dict()}))
        if result.ratio is not None and result.ratio > 0.5:
            print(f"  target missed: full parse is {result.ratio:.2f}x screenplain's (target <= 0.5)", file=sys.stderr)
            failed = True
        if result.edit_ms > 2.0:
            print(f"  target missed: keystroke work {result.edit_ms:.2f} ms (target <= 2 ms)", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
