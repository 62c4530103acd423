"""``scenewright import FILE.fdx [-o OUT] [--force]``: a Final Draft file as Fountain."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.common import fail
from engine.export import ExportError, FdxError, check_target, fdx_to_fountain, write_export


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import", help="convert a Final Draft (.fdx) file to Fountain",
        description="Write a Fountain script from a Final Draft FDX file (default: FILE with .fountain). "
                    "The output exports back to the same paragraph types.",
    )
    p.add_argument("file", help="a .fdx file")
    p.add_argument("-o", "--output", help="output .fountain file")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    source = Path(args.file)
    out = Path(args.output) if args.output else source.with_suffix(".fountain")
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        return fail(f"{source}: no such file")
    except IsADirectoryError:
        return fail(f"{source}: is a directory, not an FDX file")
    except OSError as exc:
        return fail(f"{source}: cannot read ({exc.strerror or exc})")
    try:
        check_target(out, args.force)
        text = fdx_to_fountain(data)
        written = write_export(out, text if text.endswith("\n") else text + "\n", force=args.force)
    except FdxError as exc:
        return fail(f"{source}: {exc}")
    except ExportError as exc:
        return fail(str(exc))
    print(written)
    return 0


__all__ = ["register", "run"]
