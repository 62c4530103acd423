"""``scenewright export FILE --to fountain|pdf|fdx|html [-o OUT] [--force]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.cli.common import CommandError, fail, read_script
from engine.export import (FORMATS, SUFFIXES, DraftOptions, ExportError, ExportOptions, Rendered, check_target,
                           render_export, write_export)
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
                   help="label AI-assisted text (from the provenance record beside FILE): a note after "
                        "each such paragraph, or one title-page line")
    p.set_defaults(func=run)


def default_output(script: Path, fmt: str) -> Path:
    name = script.name
    stem = name[: -len(".fountain")] if name.lower().endswith(".fountain") else script.stem
    return script.with_name(stem + SUFFIXES[fmt])


def ai_spans(script: Path, text: str) -> list[tuple[int, int]] | None:
    """AI-written spans of the script from its provenance record: ``[]`` when the record holds
    none, None when there is no record (a broken record is a CommandError naming it)."""
    from engine.provenance import ProvenanceError, load_spans

    try:
        return load_spans(script, text)
    except ProvenanceError as exc:
        raise CommandError(str(exc)) from None


def render(fmt: str, text: str, args: argparse.Namespace, script: Path) -> Rendered:
    """The export of ``text``; AI labels only from the script's provenance record."""
    spans = None
    if fmt == "fountain" and args.label_ai:
        spans = ai_spans(script, text)
        if spans is None:
            from engine.provenance import provenance_path

            raise CommandError(
                f"{script}: no provenance record beside it ({provenance_path(script).name}), so which "
                f"passages are AI-written is unknown and --label-ai {args.label_ai} would not be true; "
                "export without --label-ai (the record is written when the editor saves a script with "
                "accepted suggestions)")
    draft = DraftOptions(args.drop_notes, args.drop_boneyard, args.drop_sections, args.drop_synopses,
                         args.number_scenes, args.draft_date, args.label_ai)
    revised = revision = None
    if fmt == "pdf":  # revision marks beside the script print as asterisks and a page header
        from engine.revisions import RevisionError, Revisions

        try:
            record = Revisions.load(script, text)
        except RevisionError as exc:
            raise CommandError(f"{exc}; fix or delete it to export") from None
        if record is not None and record.marks:
            revised, revision = record.lines, record.header
    return render_export(text, ExportOptions(fmt, paper=args.paper, draft=draft, revised=revised,
                                             revision=revision), spans)


def run(args: argparse.Namespace) -> int:
    script = Path(args.file)
    out = Path(args.output) if args.output else default_output(script, args.to)
    try:
        text = read_script(script)
        if out.resolve() == script.resolve():
            raise CommandError(f"{out}: is the script itself; name another output file")
        check_target(out, args.force)  # fail before the work, with the same message as the write
        rendered = render(args.to, text, args, script)
        written = write_export(out, rendered.data, force=args.force)
    except (CommandError, ExportError) as exc:
        return fail(str(exc))
    for remark in rendered.remarks:
        print(f"scenewright: note: {remark}", file=sys.stderr)
    print(written)
    return 0


__all__ = ["register", "run", "default_output"]
