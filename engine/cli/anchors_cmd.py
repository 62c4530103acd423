"""``scenewright anchors list|add|remove|enable|disable|import|export FILE ...``: a script's anchors.

The anchors live in ``<script>.anchors.toml`` beside the ``.fountain`` file. A malformed store is
reported (file:line: key) and never rewritten.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.cli.common import CommandError, fail, read_script
from engine.steering.anchors import KINDS, AnchorError, anchor_from_dict, new_anchor_id
from engine.steering.store import AnchorStore, StoreError, store_path
from engine.tomlconf import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "anchors",
        help="list, add, remove, import and export a script's anchors",
        description="Anchors are short notes the model must respect (a character's motive, a plot beat, "
        "a fact of the world, a style rule). They are kept in SCRIPT.anchors.toml beside the script.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    ls = actions.add_parser("list", help="the script's anchors")
    ls.add_argument("file", help="a .fountain file")
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    ls.add_argument(
        "--line",
        type=int,
        metavar="N",
        help="also mark the anchors a request at line N (1-based) would use, "
        "counted with the default model's tokenizer",
    )
    ls.add_argument("--model", help="the model whose tokenizer counts (with --line)")
    ls.set_defaults(func=run_list)

    add = actions.add_parser("add", help="add an anchor")
    add.add_argument("file", help="a .fountain file")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--text", required=True, help="what the model must respect")
    add.add_argument(
        "--scope", default="script", help="script (default), section:TITLE (or act:TITLE) or scene:NUMBER-OR-HEADING"
    )
    add.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="KEY",
        help="a trigger key (repeatable): the anchor is used only when a key appears "
        "in the recent text; without keys it is always used",
    )
    add.add_argument("--priority", type=int, default=0, help="higher first (default 0)")
    add.add_argument("--id", help="an id (default: made from the kind and the text)")
    add.add_argument("--disabled", action="store_true", help="add it switched off")
    add.add_argument("--json", action="store_true", help="print the new anchor as JSON")
    add.set_defaults(func=run_add)

    rm = actions.add_parser("remove", help="remove anchors by id")
    rm.add_argument("file", help="a .fountain file")
    rm.add_argument("ids", nargs="+", metavar="ID")
    rm.set_defaults(func=run_remove)

    for name, state in (("enable", True), ("disable", False)):
        sw = actions.add_parser(name, help=f"switch anchors {'on' if state else 'off'}")
        sw.add_argument("file", help="a .fountain file")
        sw.add_argument("ids", nargs="+", metavar="ID")
        sw.set_defaults(func=run_switch, state=state)

    imp = actions.add_parser("import", help="merge anchors from a TOML file (same id: replaced)")
    imp.add_argument("file", help="a .fountain file")
    imp.add_argument("toml", help="a TOML file with [[anchors]] tables (as written by export)")
    imp.set_defaults(func=run_import)

    st = actions.add_parser("settings", help="show or change the script's steering settings (genre, tone, ...)")
    st.add_argument("file", help="a .fountain file")
    st.add_argument("--genre", help="the script's genre (overrides the title page's Genre:; '' clears)")
    st.add_argument("--tone", help="the script's tone (overrides the title page's Tone:; '' clears)")
    st.add_argument("--prompt", help="the prompt to use for this script (ID; '' clears)")
    st.add_argument(
        "--examples",
        nargs="*",
        metavar="SCENE",
        help="scenes (numbers or headings) used as few-shot examples, besides [[example]] scenes",
    )
    st.add_argument("--examples-file", help="another Fountain file whose scenes serve as examples ('' clears)")
    st.add_argument("--anchor-budget", type=int, metavar="TOKENS")
    st.add_argument("--examples-budget", type=int, metavar="TOKENS")
    st.add_argument("--json", action="store_true", help="print the settings as JSON")
    st.set_defaults(func=run_settings)

    exp = actions.add_parser("export", help="write the anchors to a TOML file")
    exp.add_argument("file", help="a .fountain file")
    exp.add_argument("toml", nargs="?", default="-", help="where to write (default: standard output)")
    exp.set_defaults(func=run_export)


# ------------------------------------------------------------------ helpers
def _script(path: str) -> Path:
    script = Path(path)
    if not script.exists():
        raise CommandError(f"{script}: no such file")
    if script.is_dir():
        raise CommandError(f"{script}: is a directory, not a Fountain file")
    return script


def _store(path: str, writing: bool = False) -> AnchorStore:
    store = AnchorStore.for_script(_script(path))
    if store.error is not None:
        suffix = f" (fix or move {store.path}; it was left as it is)" if writing else ""
        raise CommandError(f"{store.error}{suffix}")
    return store


def _save(store: AnchorStore) -> None:
    try:
        store.save()
    except StoreError as exc:
        raise CommandError(str(exc)) from None


# ------------------------------------------------------------------ actions
def run_list(args: argparse.Namespace) -> int:
    try:
        store = _store(args.file)
        used: dict[str, str] = {}
        dropped: set[str] = set()
        why_not: dict[str, str] = {}
        if args.line is not None:
            used, dropped, why_not = _at_line(args, store)
    except CommandError as exc:
        return fail(str(exc))
    if args.json:
        out = {"store": str(store.path), "anchors": []}
        for a in store.anchors:
            item = a.to_dict()
            item["keys"] = list(a.keys)
            if args.line is not None:
                item["used"] = a.id in used
                item["reason"] = used.get(a.id) or why_not.get(a.id)
                item["dropped"] = a.id in dropped
            out["anchors"].append(item)
        if args.line is not None:
            out["line"] = args.line
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return 0
    if not store.anchors:
        print(f"No anchors for {args.file} (they would be kept in {store.path}).")
        return 0
    width = max(len(a.id) for a in store.anchors)
    for a in store.anchors:
        mark = ""
        if args.line is not None:
            mark = "* " if a.id in used else ("- " if a.id in dropped else "  ")
        state = "" if a.enabled else "  [off]"
        keys = f"  keys: {', '.join(a.keys)}" if a.keys else ""
        print(f"{mark}{a.id:<{width}}  {a.kind:<9}  p{a.priority:<3}  {a.scope}{keys}{state}")
        print(f"{' ' * (len(mark) + width)}  {a.text}")
        if args.line is not None:
            reason = used.get(a.id) or why_not.get(a.id)
            if reason:
                print(f"{' ' * (len(mark) + width)}  ({reason})")
    if args.line is not None:
        print(
            f"\n* used by a request at line {args.line}" + ("; - applies but over the anchor budget" if dropped else "")
        )
    return 0


def _at_line(args: argparse.Namespace, store: AnchorStore):
    from engine.models.errors import ModelError
    from engine.steering.anchors import select_anchors
    from engine.steering.tokens import model_token_counter

    text = read_script(args.file)
    if args.line < 1:
        raise CommandError(f"--line {args.line}: lines count from 1")
    try:
        count = model_token_counter(args.model)
    except (ConfigError, ModelError) as exc:
        raise CommandError(str(exc)) from None
    sel = select_anchors(
        store.anchors, text, args.line - 1, store.settings.anchor_budget, count, scan_chars=store.settings.scan_chars
    )
    used = {c.anchor.id: c.reason for c in sel.chosen}
    dropped = {c.anchor.id for c in sel.dropped}
    why_not = {a.id: why for a, why in sel.inactive}
    for c in sel.dropped:
        why_not[c.anchor.id] = f"{c.reason}; over the anchor budget of {sel.budget} tokens"
    return used, dropped, why_not


def run_add(args: argparse.Namespace) -> int:
    try:
        store = _store(args.file, writing=True)
        data = {
            "id": args.id or new_anchor_id(args.kind, args.text, store.ids()),
            "kind": args.kind,
            "text": args.text,
            "scope": args.scope,
            "keys": args.key,
            "priority": args.priority,
            "enabled": not args.disabled,
        }
        try:
            anchor = anchor_from_dict(data)
        except AnchorError as exc:
            raise CommandError(f"--{exc.field}: {exc.message}") from None
        try:
            store.add(anchor)
        except StoreError as exc:
            raise CommandError(str(exc)) from None
        _save(store)
    except CommandError as exc:
        return fail(str(exc))
    if args.json:
        sys.stdout.write(json.dumps(anchor.to_dict(), ensure_ascii=False) + "\n")
    else:
        print(f"Added {anchor.id} to {store.path}")
    _warn_if_scope_missing(anchor, args.file)
    return 0


def _warn_if_scope_missing(anchor, script: str) -> None:
    """A scope that names no scene or section is kept (the writer may add it later) but said."""
    from engine.steering.anchors import missing_scope
    from engine.steering.structure import ScriptMap

    try:
        text = Path(script).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return
    why = missing_scope(anchor, ScriptMap.build(text))
    if why:
        print(f"scenewright: warning: {why}; {anchor.id} is kept but enters no prompt until there is one",
              file=sys.stderr)


def _for_each_id(args: argparse.Namespace, change, done: str) -> int:
    """Apply ``change(store, anchor_id)`` to every id given, save once, print ``done``."""
    try:
        store = _store(args.file, writing=True)
        for anchor_id in args.ids:
            try:
                change(store, anchor_id)
            except StoreError as exc:
                raise CommandError(str(exc)) from None
        _save(store)
    except CommandError as exc:
        return fail(str(exc))
    print(done.format(ids=", ".join(args.ids), path=store.path))
    return 0


def run_remove(args: argparse.Namespace) -> int:
    return _for_each_id(args, lambda store, anchor_id: store.remove(anchor_id), "Removed {ids} from {path}")


def run_switch(args: argparse.Namespace) -> int:
    return _for_each_id(args, lambda store, anchor_id: store.set_enabled(anchor_id, args.state),
                        f"Switched {'on' if args.state else 'off'}: {{ids}}")


def run_import(args: argparse.Namespace) -> int:
    try:
        store = _store(args.file, writing=True)
        try:
            result = store.import_file(args.toml)
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
        _save(store)
    except CommandError as exc:
        return fail(str(exc))
    parts = [f"{len(result.added)} added", f"{len(result.updated)} replaced"]
    if result.settings:
        parts.append(f"settings: {', '.join(result.settings)}")
    print(f"Imported {args.toml} into {store.path}: {'; '.join(parts)}")
    return 0


_SETTING_OPTIONS = ("genre", "tone", "prompt", "examples", "examples_file", "anchor_budget", "examples_budget")


def run_settings(args: argparse.Namespace) -> int:
    changes = {k: getattr(args, k) for k in _SETTING_OPTIONS if getattr(args, k) is not None}
    try:
        store = _store(args.file, writing=bool(changes))
        if changes:
            from engine.steering.store import validate_settings

            for key in ("genre", "tone", "prompt", "examples_file"):
                if key in changes and not changes[key].strip():
                    changes[key] = None
            if "prompt" in changes:
                changes["prompt_version"] = None
            try:
                store.settings = validate_settings({**store.settings.to_dict(), **changes})
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            _save(store)
    except CommandError as exc:
        return fail(str(exc))
    data = {f: getattr(store.settings, f) for f in store.settings.__dataclass_fields__}
    data["examples"] = list(store.settings.examples)
    if args.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        for key, value in data.items():
            shown = ", ".join(value) if isinstance(value, list) else ("" if value is None else value)
            print(f"{key:<16} {shown}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    try:
        store = _store(args.file)
        if args.toml == "-":
            import tomli_w

            sys.stdout.write(tomli_w.dumps(store.to_dict(), multiline_strings=True))
            return 0
        target = Path(args.toml)
        if target.resolve() == store_path(args.file).resolve():
            raise CommandError(f"{target} is the store itself; export to another file")
        try:
            store.export(target)
        except StoreError as exc:
            raise CommandError(str(exc)) from None
    except CommandError as exc:
        return fail(str(exc))
    count = len(store.anchors)
    print(f"Exported {count} anchor{'' if count == 1 else 's'} to {args.toml}")
    return 0


__all__ = ["register"]
