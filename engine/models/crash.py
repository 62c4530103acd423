"""How a model process died, in words a writer can act on."""

from __future__ import annotations

import signal

WHAT = {
    "SIGILL": "an instruction this CPU (or the virtual machine it runs in) does not allow",
    "SIGSEGV": "a memory fault inside llama.cpp",
    "SIGABRT": "llama.cpp stopped itself on a failed check (GGML_ASSERT) or an uncaught error",
    "SIGKILL": "killed from outside (often the kernel's out-of-memory killer)",
    "SIGBUS": "a bus error (the model file changed or vanished while mapped)",
    "SIGFPE": "an arithmetic fault inside llama.cpp",
    "SIGTERM": "asked to stop from outside",
}


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
