"""``python -m llama_cpp.server`` for this install of llama.cpp: the CPU variant is loaded first.

llama.cpp built with runtime CPU variants (``engine/models/llama_build.py``) looks for them, when
nobody loaded one, in ``llama_cpp/lib`` relative to the current directory, and trusts CPUID.
This launcher loads the variant ``engine.models.cpu_probe`` found to run here, then runs
llama-cpp-python's OpenAI-compatible server with the same arguments::

    python -m engine.models.llama_cpp_server --model FILE.gguf --host 127.0.0.1 --port 8080
"""

from __future__ import annotations

import runpy
import sys


def main() -> None:
    from engine.models.llama_backend import llama_cpp_module

    llama_cpp_module()
    sys.argv[0] = "llama_cpp.server"
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
