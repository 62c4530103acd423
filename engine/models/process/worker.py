"""The model process: llama.cpp's only home. The editor and the CLI talk to it through ``client``.

    python -m engine.models.process.worker FD_IN FD_OUT

Everything that touches libllama/libggml runs here: choosing the CPU variant, loading GGUF
files, tokenising, chat templates, prompt evaluation, sampling, perplexity, the bare loop of
``bench model``. If llama.cpp dies (SIGILL, SIGSEGV, a GGML_ASSERT's SIGABRT, the OOM killer),
only this process dies; the client sees its pipe close and reads the exit signal.

Protocol (``multiprocessing.connection`` framing over two pipes, pickled tuples):

* in:  ``("call", id, op, args)``, ``("cancel", id)``
* out: ``("item", id, obj)`` (progress, text pieces) then ``("result", id, value)`` or
  ``("error", id, class_name, message)``

Calls run one at a time on the main thread; a reader thread takes cancels as they arrive, so a
cancel reaches llama.cpp's abort callback (checked between graph nodes) while a prompt is being
evaluated. stdout and stderr are one pipe the client keeps the tail of: llama.cpp's log lines
are echoed there, and so are its own last words (a GGML_ASSERT's message) when it aborts.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

class Worker:
    def __init__(self, conn_in: Connection, conn_out: Connection):
        self.conn_in = conn_in
        self.conn_out = conn_out
        self.inbox: queue.Queue = queue.Queue()
        self.cancelled: set[int] = set()
        self.objects: dict[int, object] = {}
        self.next_handle = 1
        self.info: dict = {}

    # ------------------------------------------------------------------ plumbing
    def send(self, message) -> None:
        self.conn_out.send(message)

    def read(self) -> None:
        while True:
            try:
                message = self.conn_in.recv()
            except (EOFError, OSError):
                os._exit(0)  # the client is gone
            if message[0] == "cancel":
                self.cancelled.add(message[1])
            else:
                self.inbox.put(message)

    def serve(self) -> None:
        threading.Thread(target=self.read, name="model-process-reader", daemon=True).start()
        while True:
            _, rid, op, args = self.inbox.get()
            handler = getattr(self, f"op_{op}", None)
            try:
                if handler is None:
                    raise ValueError(f"unknown operation {op!r}")
                result = handler(rid, *args)
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the client
                self.send(("error", rid, exc.__class__.__name__, str(exc)))
            else:
                self.send(("result", rid, result))
            self.cancelled.discard(rid)

    def keep(self, obj) -> int:
        handle = self.next_handle
        self.next_handle += 1
        self.objects[handle] = obj
        return handle

    # ------------------------------------------------------------------ operations
    def op_hello(self, rid):
        return {"pid": os.getpid(), **self.info}

    def op_open_model(self, rid, entry, path, recalibrate):
        from engine.models.errors import LoadCancelled
        from engine.models.llama_backend import LocalModel, open_llama, resolve_gpu_layers
        from engine.models.threads import choose_threads

        started = time.perf_counter()
        cancelled = lambda: rid in self.cancelled  # noqa: E731
        progress = lambda stage, fraction: self.send(("item", rid, (stage, fraction)))  # noqa: E731
        path = Path(path)
        progress("load", 0.0)
        initial = entry.threads if isinstance(entry.threads, int) else 1
        initial_batch = entry.threads_batch if isinstance(entry.threads_batch, int) else initial
        llm = open_llama(entry, path, n_threads=initial, n_threads_batch=initial_batch,
                         progress=_every_2_percent(lambda f: progress("load", f)), cancelled=cancelled)
        model = LocalModel(entry, path, llm, 0.0, (initial, initial_batch))
        try:
            if entry.threads == "auto" or entry.threads_batch == "auto" or recalibrate:
                progress("calibrate", None)
            choice = choose_threads(entry, model, path, resolve_gpu_layers(entry.gpu_layers), cancelled,
                                    force=recalibrate)
            if cancelled():
                raise LoadCancelled(f"model {entry.name!r}: loading cancelled")
        except BaseException:
            model.close()
            raise
        model.thread_choice = choice
        return {
            "handle": self.keep(model),
            "n_ctx": model.n_ctx,
            "bos_text": model.bos_text,
            "threads": model.threads,
            "thread_choice": choice,
            "open_ms": (time.perf_counter() - started) * 1000,
        }

    def op_tokenize(self, rid, handle, text, add_bos, special):
        return self.objects[handle].tokenize(text, add_bos=add_bos, special=special)

    def op_count_tokens(self, rid, handle, text):
        return self.objects[handle].count_tokens(text)

    def op_render_chat(self, rid, handle, messages):
        return self.objects[handle].render_chat(messages)

    def op_set_threads(self, rid, handle, n_threads, n_threads_batch):
        model = self.objects[handle]
        model.set_threads(n_threads, n_threads_batch)
        return model.threads

    def op_stream(self, rid, handle, tokens, sampling, seed, max_tokens):
        model = self.objects[handle]
        cancelled = lambda: rid in self.cancelled  # noqa: E731
        stream = model.stream("", tokens, sampling=sampling, seed=seed, max_tokens=max_tokens, cancelled=cancelled)
        send = self.conn_out.send
        try:
            for item in stream:
                send(("item", rid, item))
        finally:
            stream.close()
        return None

    def op_close(self, rid, handle):
        obj = self.objects.pop(handle, None)
        if obj is not None:
            obj.close()
        return None

    # vocabularies (token counts without the weights)
    def op_open_vocab(self, rid, path):
        from engine.models.llama_backend import open_vocab_only

        return self.keep(open_vocab_only(Path(path)))

    def op_vocab_tokenize(self, rid, handle, text, add_bos):
        return self.objects[handle].tokenize(text.encode("utf-8"), add_bos=add_bos, special=False)

    def op_vocab_count(self, rid, handle, text):
        return len(self.objects[handle].tokenize(text.encode("utf-8"), add_bos=False, special=False)) if text else 0

    # perplexity
    def op_open_scorer(self, rid, entry, path, window, threads):
        from engine.models.scoring import LlamaScorer

        scorer = LlamaScorer(entry, Path(path), window, threads)
        return {"handle": self.keep(scorer), "adds_bos": scorer.adds_bos}

    def op_token_nll(self, rid, handle, text, context, stride):
        return self.objects[handle].token_nll(text, context, stride)

    def op_scorer_tokenize(self, rid, handle, text, add_bos):
        return self.objects[handle].tokenize(text, add_bos)

    def op_detokenize(self, rid, handle, tokens):
        return self.objects[handle].detokenize(tokens)

    def op_echo_logprobs(self, rid, handle, text):
        """llama-cpp-python's own per-token log-probabilities (``echo=True``), the peer perplexity is checked against."""
        return self.objects[handle].echo_logprobs(text)

    # bench model: the bare llama-cpp-python loop on the very Llama the stream uses
    def op_bare_loop(self, rid, handle, tokens, sampling, max_tokens):
        model = self.objects[handle]
        llm = model.llm
        before_n = _cached_prefix(llm, tokens)
        llm.set_seed(1234)
        started = time.perf_counter()
        first = last = None
        n = 0
        for token in llm.generate(tokens, temp=sampling.temperature, top_p=sampling.top_p, top_k=sampling.top_k,
                                  min_p=sampling.min_p, repeat_penalty=sampling.repeat_penalty):
            now = time.perf_counter()
            if first is None:
                first = now
            last = now
            if model.is_end(token):
                break
            llm.detokenize([token])
            n += 1
            if n >= max_tokens:
                break
        ttft = (first - started) * 1000
        speed = (n - 1) / (last - first) if n > 1 and last > first else 0.0
        return ttft, len(tokens) - before_n, n, speed

    def op_clear_cache(self, rid, handle):
        llm = self.objects[handle].llm
        llm.reset()
        llm._ctx.kv_cache_seq_rm(-1, 0, -1)
        return None

    def op_cached_tokens(self, rid, handle):
        return self.objects[handle].cached_tokens


def _every_2_percent(report):
    last = [-1.0]

    def on(fraction: float) -> None:
        if fraction >= 1.0 or fraction - last[0] >= 0.02:
            last[0] = fraction
            report(fraction)

    return on


def _cached_prefix(llm, tokens) -> int:
    n = 0
    for a, b in zip(llm.input_ids[: llm.n_tokens].tolist(), tokens):
        if a != b:
            break
        n += 1
    return min(n, len(tokens) - 1) if n else 0


def main(argv: list[str]) -> int:
    conn_in = Connection(int(argv[0]), writable=False)
    conn_out = Connection(int(argv[1]), readable=False)
    worker = Worker(conn_in, conn_out)
    try:
        from engine.models.llama_backend import cpu_backend, echo_log_to, llama_cpp_module

        llama_cpp_module()  # loads the CPU variant that runs here
        worker.info = cpu_backend()
        echo_log_to(2)
    except BaseException as exc:  # noqa: BLE001 - reported to the client, then the process ends
        conn_out.send(("error", 0, exc.__class__.__name__, str(exc)))
        return 1
    conn_out.send(("result", 0, {"pid": os.getpid(), **worker.info}))
    worker.serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

