"""``scenewright serve``: the co-writer over HTTP; ``scenewright serve keys add|list|remove``: its API keys."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from pathlib import Path

from engine.cli.common import fail


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve", help="serve continuations, rewrites, alternatives and beats over HTTP (keys, limits, metrics)",
        description="Run the co-writer as an HTTP service (OpenAPI docs at /docs): POST /render_script, "
        "/continue, /rewrite, /alternatives, /beat (JSON or server-sent events), /feedback into the edit log; "
        "GET /models, /healthz, /metrics. Once a key exists every request needs one (Authorization: Bearer KEY); "
        "binding to anything but loopback needs a key. Needs the serve extra: pip install 'scenewright[serve]'.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any free port)")
    p.add_argument("--queue", type=int, default=8, metavar="N",
                   help="requests that may wait for a busy model; the next gets 503 (default 8)")
    p.add_argument("--remote-concurrency", type=int, default=4, metavar="N",
                   help="requests at once to a remote (OpenAI-compatible) model (default 4; a local model: 1)")
    p.add_argument("--max-body", type=int, default=1_000_000, metavar="BYTES",
                   help="largest request body (default 1,000,000 bytes: a feature script is about 200 KB)")
    p.add_argument("--max-tokens", type=int, default=1024, metavar="N", help="most tokens one request may ask for")
    p.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="allow browser pages from ORIGIN (repeatable; default: CORS off)")
    p.add_argument("--grace", type=float, default=10.0, metavar="S",
                   help="on shutdown, seconds streams get to finish before they are cancelled (default 10)")
    p.add_argument("--log-file", metavar="PATH", help="append the JSON request log here (default: stderr)")
    p.add_argument("--db", metavar="PATH", help="the edit log (default: editlog.sqlite3 in the data folder)")
    p.add_argument("--keys-file", metavar="PATH", help="the keys file (default: serve-keys.toml in the config folder)")
    p.add_argument("--no-preload", action="store_true", help="load the default model at the first request")
    p.set_defaults(func=run)
    keys = p.add_subparsers(dest="serve_what", metavar="keys")
    k = keys.add_parser("keys", help="API keys: add NAME, list, remove NAME")
    kk = k.add_subparsers(dest="keys_what", metavar="add|list|remove", required=True)
    add = kk.add_parser("add", help="make a key (shown once) for a tool or a person")
    add.add_argument("name")
    add.add_argument("--rpm", type=int, default=60, help="requests per minute (default 60; 0: no limit)")
    add.add_argument("--tokens-per-day", type=int, default=200_000,
                     help="generated tokens per day (default 200,000; 0: no limit)")
    add.add_argument("--keys-file", metavar="PATH")
    add.set_defaults(func=run_keys_add)
    ls = kk.add_parser("list", help="the keys (names, first characters, limits; never the keys)")
    ls.add_argument("--keys-file", metavar="PATH")
    ls.set_defaults(func=run_keys_list)
    rm = kk.add_parser("remove", help="revoke a key (a running server refuses it from its next request)")
    rm.add_argument("name")
    rm.add_argument("--keys-file", metavar="PATH")
    rm.set_defaults(func=run_keys_remove)


def _keys_path(args) -> Path:
    from engine.serve.keys import default_path

    return Path(args.keys_file).expanduser() if getattr(args, "keys_file", None) else default_path()


def run_keys_add(args: argparse.Namespace) -> int:
    from engine.serve.keys import add_key
    from engine.tomlconf import ConfigError

    path = _keys_path(args)
    try:
        key, entry = add_key(args.name, requests_per_minute=args.rpm, tokens_per_day=args.tokens_per_day, path=path)
    except (ValueError, ConfigError, OSError) as exc:
        return fail(str(exc))
    print(key)
    print(f"key {entry.name} added to {path} ({_limits(entry)}). It is shown this once: only its hash is kept.",
          file=sys.stderr)
    return 0


def run_keys_list(args: argparse.Namespace) -> int:
    from engine.serve.keys import read_keys
    from engine.tomlconf import ConfigError

    path = _keys_path(args)
    try:
        keys = read_keys(path)
    except ConfigError as exc:
        return fail(str(exc))
    if not keys:
        print(f"no keys ({path}): the server answers on loopback only, with no key; "
              "make one with `scenewright serve keys add NAME`")
        return 0
    width = max(len(n) for n in keys)
    for name, entry in sorted(keys.items()):
        print(f"{name:<{width}}  {entry.shown}…  {_limits(entry)}  made {entry.created}")
    return 0


def run_keys_remove(args: argparse.Namespace) -> int:
    from engine.serve.keys import remove_key
    from engine.tomlconf import ConfigError

    try:
        removed = remove_key(args.name, _keys_path(args))
    except (ConfigError, OSError) as exc:
        return fail(str(exc))
    if not removed:
        return fail(f"no key named {args.name}")
    print(f"key {args.name} removed")
    return 0


def _limits(entry) -> str:
    rpm = f"{entry.requests_per_minute}/min" if entry.requests_per_minute else "no request limit"
    day = f"{entry.tokens_per_day:,} tokens/day" if entry.tokens_per_day else "no token limit"
    return f"{rpm}, {day}"


def run(args: argparse.Namespace) -> int:
    if getattr(args, "serve_what", None) == "keys":  # argparse sends `serve keys` without a verb here
        return fail("serve keys: add NAME, list or remove NAME")
    try:
        import uvicorn

        from engine.serve.app import ServeConfig, Service, create_app, is_loopback
    except ImportError as exc:
        return fail(f"serving needs the serve extra ({exc.name} is missing): pip install 'scenewright[serve]'")
    from engine.editlog import EditLog, EditLogError
    from engine.generation import GenerationEngine
    from engine.serve.keys import KeyRing
    from engine.tomlconf import ConfigError

    for name, value, low in (("--queue", args.queue, 0), ("--remote-concurrency", args.remote_concurrency, 1),
                             ("--max-body", args.max_body, 1024), ("--max-tokens", args.max_tokens, 1)):
        if value < low:
            return fail(f"{name} must be at least {low}")
    try:
        keyring = KeyRing(_keys_path(args))
    except ConfigError as exc:
        return fail(str(exc))
    if not is_loopback(args.host) and not keyring.keys:
        return fail(f"--host {args.host} is reachable from other machines, and no API key exists: make one first "
                    "(scenewright serve keys add NAME), or serve on 127.0.0.1")
    try:
        engine = GenerationEngine()
        registry = engine.registry
    except ConfigError as exc:
        return fail(str(exc))
    try:
        log = EditLog.open(args.db)
    except EditLogError as exc:
        return fail(str(exc))
    try:
        sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # accepted connections inherit it: without it, a kept-alive connection's answers wait
        # 40 ms on delayed ACKs (uvicorn sets it only on sockets it binds itself)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((args.host, args.port))
    except OSError as exc:
        log.close()
        return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    port = sock.getsockname()[1]
    _access_log(args.log_file)
    config = ServeConfig(host=args.host, port=port, max_body_bytes=args.max_body, queue_waiting=args.queue,
                         remote_concurrency=args.remote_concurrency, cors_origins=tuple(args.cors_origin),
                         edit_log=log.path, keys_path=keyring.path, preload=not args.no_preload,
                         max_tokens=args.max_tokens)
    service = Service(engine, config, log, keyring)
    _Server = _server_class()
    app = create_app(service)
    keys = len(keyring.keys)
    print(f"scenewright serve: http://{args.host}:{port} (docs: /docs) · default model {registry.default} · "
          f"{keys} key{'s' if keys != 1 else ''}{'' if keys else ' (none: loopback only, no key needed)'} · "
          f"edit log {log.path}", file=sys.stderr, flush=True)
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           timeout_graceful_shutdown=args.grace, lifespan="on"))
    try:
        server.run(sockets=[sock])
    finally:
        engine.close()
        log.close()
    return 0


def _server_class():
    import contextlib
    import signal

    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, but a SIGTERM or Ctrl+C ends ``run`` instead of being raised again after
        the shutdown (uvicorn's way), which would end the process before the engine's model
        process and the edit log are closed. A second signal forces the exit, as in uvicorn."""

        @contextlib.contextmanager
        def capture_signals(self):
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server


def _access_log(path: str | None) -> None:
    logger = logging.getLogger("scenewright.serve.access")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
