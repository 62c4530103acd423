"""``scenewright corpus add|list|stats|remove|tokenize|export``: the training corpus (see engine/corpus)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.cli.common import fail


def add_corpus_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", metavar="PATH", help="the corpus file (default: corpus.sqlite3 beside the edit log)")


def open_corpus(args: argparse.Namespace):
    from engine.corpus import Corpus

    return Corpus.open(getattr(args, "corpus", None))


def register(sub: argparse._SubParsersAction) -> None:
    from engine.corpus.store import LICENCES, TRAINABLE

    p = sub.add_parser(
        "corpus", help="the screenplays a model is fine-tuned on: add, list, stats, tokenize, export",
        description="A corpus of screenplays with metadata, for `scenewright train`. Fountain, FDX and plain "
        "text from a PDF (`pdftotext -layout`) are cleaned, deduplicated and cut into scenes and dialogue "
        f"exchanges. Only {', '.join(sorted(TRAINABLE))} text is trained on.",
    )
    cmds = p.add_subparsers(dest="corpus_command", metavar="COMMAND", required=True)

    add = cmds.add_parser("add", help="add screenplays (.fountain, .fdx, .txt) with their metadata")
    add.add_argument("files", nargs="+", metavar="FILE")
    add.add_argument("--title", default="", help="the title (default: from the file name; one file only)")
    add.add_argument("--genre", default="", help="e.g. thriller, comedy, sci-fi")
    add.add_argument("--tone", default="", help="e.g. dark, warm, deadpan")
    add.add_argument("--audience", default="", help="target audience, e.g. adult, family, YA")
    add.add_argument("--runtime", type=int, metavar="MINUTES", help="running time in minutes")
    add.add_argument("--source", default="", help="where the text comes from (URL, book, 'my own')")
    add.add_argument("--licence", "--license", dest="licence", required=True, choices=LICENCES,
                     help="its licence: only public-domain, own and explicitly licensed text is trained on")
    add_corpus_argument(add)
    add.set_defaults(func=run_add)

    ls = cmds.add_parser("list", help="the scripts in the corpus")
    ls.add_argument("--json", action="store_true")
    add_corpus_argument(ls)
    ls.set_defaults(func=run_list)

    st = cmds.add_parser("stats", help="sizes per genre and licence")
    st.add_argument("--model", metavar="NAME", help="show token counts of this model's tokenizer "
                    "(counted with `corpus tokenize`)")
    st.add_argument("--json", action="store_true")
    add_corpus_argument(st)
    st.set_defaults(func=run_stats)

    rm = cmds.add_parser("remove", help="remove a script (by its id from `corpus list`)")
    rm.add_argument("id", type=int)
    add_corpus_argument(rm)
    rm.set_defaults(func=run_remove)

    tok = cmds.add_parser("tokenize", help="count every segment's tokens with a model's tokenizer")
    tok.add_argument("--model", metavar="NAME", help="a model of models.toml (default: the default model)")
    add_corpus_argument(tok)
    tok.set_defaults(func=run_tokenize)

    ex = cmds.add_parser("export", help="trainable units as JSONL ({\"text\", \"genre\", \"kind\", \"split\"})")
    ex.add_argument("--kind", choices=("scene", "exchange"), default="scene")
    ex.add_argument("--split", choices=("train", "val"), default="train")
    ex.add_argument("--balance", action="store_true", help="cut each genre to the smallest genre's size")
    ex.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    add_corpus_argument(ex)
    ex.set_defaults(func=run_export)


def run_add(args: argparse.Namespace) -> int:
    from engine.corpus import CorpusError, Metadata

    if args.title and len(args.files) > 1:
        return fail("--title names one script: add the files one at a time")
    status = 0
    try:
        corpus = open_corpus(args)
    except CorpusError as exc:
        return fail(str(exc))
    with corpus:
        for name in args.files:
            meta = Metadata(title=args.title, genre=args.genre, tone=args.tone, audience=args.audience,
                            runtime=args.runtime, source=args.source, licence=args.licence)
            try:
                added = corpus.add(Path(name), meta)
            except CorpusError as exc:
                print(f"scenewright: {exc}", file=sys.stderr)
                status = 1
                continue
            dup = f", {added.duplicate_scenes} scenes already there" if added.duplicate_scenes else ""
            note = "" if added.trainable else " (kept, not trainable: its licence does not allow it)"
            print(f"#{added.script_id} {added.title}: {added.scenes} scenes, {added.exchanges} exchanges{dup}{note}")
    return status


def run_list(args: argparse.Namespace) -> int:
    with open_corpus(args) as corpus:
        rows = corpus.scripts()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("The corpus is empty: add scripts with `scenewright corpus add FILE --licence own`.")
        return 0
    print(f"{'id':>4}  {'title':<28} {'genre':<12} {'licence':<19} {'scenes':>6} {'exch.':>6}  train")
    for r in rows:
        print(f"{r['id']:>4}  {r['title'][:28]:<28} {r['genre'][:12]:<12} {r['licence']:<19} {r['scenes']:>6} "
              f"{r['exchanges']:>6}  {'yes' if r['trainable'] else 'no'}")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    tokenizer = _tokenizer_name(args.model) if args.model else None
    with open_corpus(args) as corpus:
        rows = corpus.stats(tokenizer)
        counted = corpus.tokenizers()
    if args.json:
        print(json.dumps({"tokenizer": tokenizer, "rows": rows}, indent=2))
        return 0
    if not rows:
        print("The corpus is empty.")
        return 0
    tok_head = f" {'tokens':>9}" if tokenizer else ""
    print(f"{'genre':<14} {'licence':<19} {'train':<5} {'scripts':>7} {'scenes':>6} {'held out':>8} "
          f"{'exch.':>6} {'chars':>9}{tok_head}")
    totals = {"scripts": 0, "scenes": 0, "val_scenes": 0, "exchanges": 0, "chars": 0, "tokens": 0}
    for r in rows:
        tok = f" {r['tokens'] or 0:>9}" if tokenizer else ""
        print(f"{r['genre'][:14]:<14} {r['licence']:<19} {'yes' if r['trainable'] else 'no':<5} {r['scripts']:>7} "
              f"{r['scenes']:>6} {r['val_scenes']:>8} {r['exchanges']:>6} {r['chars']:>9}{tok}")
        for key in totals:
            totals[key] += r[key] or 0
    tok = f" {totals['tokens']:>9}" if tokenizer else ""
    print(f"{'all':<14} {'':<19} {'':<5} {totals['scripts']:>7} {totals['scenes']:>6} {totals['val_scenes']:>8} "
          f"{totals['exchanges']:>6} {totals['chars']:>9}{tok}")
    if tokenizer and tokenizer not in counted:
        print(f"(no tokens counted for {tokenizer} yet: `scenewright corpus tokenize --model {args.model}`)")
    return 0


def _tokenizer_name(model: str | None) -> str:
    from engine.models import load_registry

    entry = load_registry().get(model)
    return entry.base or entry.name  # an adapter shares its base's tokenizer


def run_remove(args: argparse.Namespace) -> int:
    with open_corpus(args) as corpus:
        if not corpus.remove(args.id):
            return fail(f"no script #{args.id} in the corpus (see `scenewright corpus list`)")
    print(f"removed #{args.id}")
    return 0


def run_tokenize(args: argparse.Namespace) -> int:
    from engine.models import ModelError
    from engine.steering.tokens import model_token_counter

    try:
        name = _tokenizer_name(args.model)
        counter = model_token_counter(name)
    except ModelError as exc:
        return fail(str(exc))
    with open_corpus(args) as corpus:
        def progress(n: int, total: int) -> None:
            if n == total or n % 50 == 0:
                print(f"\r{n}/{total} segments", end="", file=sys.stderr, flush=True)

        done = corpus.tokenize(counter, name, progress)
    if done:
        print(file=sys.stderr)
    print(f"{done} segments counted with {name}'s tokenizer")
    return 0


def run_export(args: argparse.Namespace) -> int:
    with open_corpus(args) as corpus:
        units = corpus.training_units(args.kind, args.split, args.balance)
    lines = [json.dumps({"text": u.text, "genre": u.genre, "kind": u.kind, "split": u.split}) for u in units]
    data = "\n".join(lines) + ("\n" if lines else "")
    if args.output:
        from engine.atomicfile import write_atomic

        write_atomic(Path(args.output), data.encode("utf-8"))
        print(f"{len(lines)} {args.kind}s written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(data)
    return 0
