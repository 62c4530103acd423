"""A short LoRA run on a self-written corpus, ours vs transformers.Trainer: training tokens/s, peak
memory, held-out perplexity before and after. The same as ``scenewright bench training``:

    .venv/bin/python benchmarks/training.py [--model smollm2-135m] [--steps 8] [--json]

See engine/bench/training_bench.py for what is measured and how.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.bench import training_bench  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    training_bench.add_arguments(p)
    return training_bench.run(p.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
