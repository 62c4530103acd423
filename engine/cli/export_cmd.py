"""``scenewright export FILE --to fountain|pdf|fdx|html [-o OUT] [--force]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.common import CommandError, fail, read_script
from engine.export import FORMATS, SUFFIXES, DraftOptions, ExportError, check_target, write_atomic
from engine.export.pdf import PAPERS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="export a script as a Fountain draft, PDF, FDX or HTML",
        description="Write a copy of a script in another form. The file named with -o (default: the "
                    "script's name with the format's suffix) is the only file written; an existing "
                    "file is kept unless --force; a failed export leaves no partial file.",
    )
    p.add_argument("file", help="a .fountain file")
    p.add_argument("--to", required=True, choices=FORMATS, help="output format")
    p.add_argument("-o", "--output", help="output file (default: FILE with the format's suffix)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.add_argument("--paper", choices=PAPERS, default="letter", help="PDF paper size (default letter)")
    g = p.add_argument_group("Fountain draft options")
    g.add_argument("--drop-notes", action="store_true", help="remove [[notes]]")
    g.add_argument("--drop-boneyard", action="store_true", help="remove /* boneyard */")
    g.add_argument("--drop-sections", action="store_true", help="remove # sections")
    g.add_argument("--drop-synopses", action="store_true", help="remove = synopses")
    g.add_argument("--number-scenes", action="store_true", help="number the scenes that have no number")
    g.add_argument("--draft-date", metavar="DATE", help="set the title page's Draft date")
    g.add_argument("--label-ai", choices=("notes", "title"),
                   help="label AI-assisted text: a note after each such paragraph, or one title-page line")
    p.set_defaults(func=run)


def default_output(script: Path, fmt: str) -> Path:
    name = script.name
    stem = name[: -len(".fountain")] if name.lower().endswith(".fountain") else script.stem
    return script.with_name(stem + SUFFIXES[fmt])


def ai_spans(script: Path, text: str) -> list[tuple[int, int]] | None:
    """AI-written spans of the script from its provenance file, or None when there is none."""
    try:
        from engine.provenance import ProvenanceError, load_spans
    except ImportError:
        return None
    try:
        return load_spans(script, text)
    except ProvenanceError as exc:
        raise CommandError(str(exc)) from None


def render(fmt: str, text: str, args: argparse.Namespace, script: Path) -> bytes:
    from engine.fountain import parse

    if fmt == "fountain":
        spans: list[tuple[int, int]] = []
        if args.label_ai:
            found = ai_spans(script, text)
            if found is None and args.label_ai == "notes":
                raise CommandError(f"{script}: no provenance record beside it, so AI-written passages are "
                                   "unknown; use --label-ai title for a title-page line")
            spans = found or []
        options = DraftOptions(args.drop_notes, args.drop_boneyard, args.drop_sections, args.drop_synopses,
                               args.number_scenes, args.draft_date, args.label_ai)
        from engine.export import fountain_draft
        return fountain_draft(text, options, spans).encode("utf-8")
    result = parse(text)
    if fmt == "pdf":
        from engine.export import pdf_bytes
        return pdf_bytes(result, paper=args.paper)
    if fmt == "fdx":
        from engine.export import to_fdx
        return to_fdx(result).encode("utf-8")
    from engine.export import to_html
    return to_html(result).encode("utf-8")


def run(args: argparse.Namespace) -> int:
    script = Path(args.file)
    out = Path(args.output) if args.output else default_output(script, args.to)
    try:
        text = read_script(script)
        if out.resolve() == script.resolve():
            raise CommandError(f"{out}: is the script itself; name another output file")
        check_target(out, args.force)  # fail before the work, with the same message as the write
        written = write_atomic(out, render(args.to, text, args, script), force=args.force)
    except (CommandError, ExportError) as exc:
        return fail(str(exc))
    print(written)
    return 0


__all__ = ["register", "run", "default_output"]
