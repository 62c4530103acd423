"""The CMake flags llama-cpp-python is built with, so that one build runs on every CPU of its kind.

Run before installing (standard library only, so it works before anything is installed)::

    CMAKE_ARGS="$(python3 engine/models/llama_build.py)" pip install --no-cache-dir .

On x86-64 this prints the flags of llama.cpp's runtime CPU selection: ``GGML_BACKEND_DL`` with
``GGML_CPU_ALL_VARIANTS`` builds the CPU backend once per instruction-set level (x64, sse42,
haswell, skylakex, icelake, sapphirerapids with AMX, ...) into ``llama_cpp/lib``, and the model
process (``engine.models.process.worker``) loads the best one whose instructions really run
here (``engine.models.cpu_probe``). A native build (``-march=native``, llama-cpp-python's
default) bakes in whatever CPUID claims, AMX included, and dies with SIGILL on machines (and
virtual machines) that claim more than they allow.

``GGML_BACKEND_DIR`` is given as a STRING on purpose: as a PATH, CMake makes it absolute against
the build directory and the variants are installed there, outside the wheel.

On other machines (arm64, ...) it prints nothing: llama-cpp-python's native build, whose ARM
features come from the kernel's HWCAP, which a VM cannot claim without allowing.

``--check DIR`` (used by ``.ci/run``) exits non-zero, saying why, when the llama.cpp installed in
``DIR`` (``llama_cpp/lib``) is not such a build, e.g. a native wheel reused from pip's cache,
which does not key wheels on ``CMAKE_ARGS``.
"""

from __future__ import annotations

import os
import platform
import sys

X86_FLAGS = (
    "-DGGML_NATIVE=OFF",
    "-DGGML_BACKEND_DL=ON",
    "-DGGML_CPU_ALL_VARIANTS=ON",
    "-DGGML_BACKEND_DIR:STRING=llama_cpp/lib",
)
REINSTALL = (
    'CMAKE_ARGS="$(python3 engine/models/llama_build.py)" '
    "pip install --force-reinstall --no-cache-dir --no-deps llama-cpp-python"
)


def is_x86_64(machine: str | None = None) -> bool:
    return (machine or platform.machine()).lower() in ("x86_64", "amd64")


def cmake_args(machine: str | None = None) -> str:
    return " ".join(X86_FLAGS) if is_x86_64(machine) else ""


def check(lib_dir: str) -> str | None:
    """Why the build in ``lib_dir`` is not the portable one (None when it is)."""
    if not is_x86_64():
        return None
    try:
        names = os.listdir(lib_dir)
    except OSError as exc:
        return f"{lib_dir}: {exc.strerror}"
    variants = sorted(n for n in names if n.startswith("libggml-cpu-") and n.endswith(".so"))
    if not variants:
        return (f"{lib_dir} holds a llama.cpp built for one CPU (no libggml-cpu-*.so variants): it may die "
                f"with SIGILL on other machines. Rebuild it: {REINSTALL}")
    if "libggml-cpu-x64.so" not in variants:
        return f"{lib_dir} has CPU variants but not the baseline x64 one: {', '.join(variants)}"
    return None


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"] and len(argv) == 2:
        problem = check(argv[1])
        if problem:
            print(problem, file=sys.stderr)
            return 1
        print(f"{argv[1]}: portable llama.cpp build (runtime CPU variants)")
        return 0
    if argv:
        print("usage: llama_build.py [--check LLAMA_CPP_LIB_DIR]", file=sys.stderr)
        return 2
    print(cmake_args())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
