"""Which of llama.cpp's CPU variants this machine can really run, found by running the instructions.

Scenewright builds llama.cpp with ``GGML_BACKEND_DL`` and ``GGML_CPU_ALL_VARIANTS`` (see
``engine/models/llama_build.py``): ``llama_cpp/lib`` then holds one ``libggml-cpu-NAME.so`` per
instruction-set level (haswell, skylakex, icelake, sapphirerapids, ...). llama.cpp's own choice
(``ggml_backend_load_all``) trusts CPUID, and some virtual machines advertise instructions they do
not let a process execute: CPUID says AMX, ``arch_prctl(ARCH_REQ_XCOMP_PERM)`` even succeeds, and
the first ``tilezero`` dies with SIGILL. So before choosing, each instruction family a variant
needs is executed once, in a child process (a few bytes of machine code in an executable page);
a family whose child dies with a signal is not used. The answer is cached per machine
(``cache_dir()/cpu-probe.json``, keyed by the CPU flags the kernel reports and the kernel release),
together with any variant that crashed with SIGILL anyway, which is never chosen again.

Only x86-64 is probed by execution: on ARM the kernel reports exactly what it enables (HWCAP),
so llama.cpp's own scoring is used there.
"""

from __future__ import annotations

import ctypes
import json
import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from engine.atomicfile import write_atomic
from engine.hashing import key_sha256

PROBE_VERSION = 1

# One instruction (or a short sequence) per family, ending in `ret`; System V ABI, rdi = a
# 64-byte scratch buffer (AMX's tile configuration). Encodings from GNU as (`as -msyntax=intel`).
_RET = b"\xc3"
_VZEROUPPER = b"\xc5\xf8\x77"
_AMX_CONFIG_THEN = b"\xc4\xe2\x78\x49\x07"  # ldtilecfg [rdi]
_TILEZERO = {0: b"\xc4\xe2\x7b\x49\xc0", 1: b"\xc4\xe2\x7b\x49\xc8", 2: b"\xc4\xe2\x7b\x49\xd0"}
_TILERELEASE = b"\xc4\xe2\x78\x49\xc0"
SNIPPETS: dict[str, bytes] = {
    "SSE42": b"\xf2\x0f\x38\xf1\xc1",  # crc32 eax, ecx
    "AVX": b"\xc5\xfc\x57\xc0" + _VZEROUPPER,  # vxorps ymm0, ymm0, ymm0
    "F16C": b"\xc4\xe2\x79\x13\xc1",  # vcvtph2ps xmm0, xmm1
    "FMA": b"\xc4\xe2\x75\xb8\xc2" + _VZEROUPPER,  # vfmadd231ps ymm0, ymm1, ymm2
    "AVX2": b"\xc5\xf5\xfe\xc2" + _VZEROUPPER,  # vpaddd ymm0, ymm1, ymm2
    "BMI2": b"\xc4\xe2\x69\xf7\xc1",  # shlx eax, ecx, edx
    "AVX512": b"\x62\xf1\x75\x48\xef\xc2" + b"\x62\xf1\x75\x48\xfc\xc2" + _VZEROUPPER,  # vpxord, vpaddb zmm
    "AVX512_VBMI": b"\x62\xf2\x75\x48\x8d\xc2" + _VZEROUPPER,  # vpermb zmm0, zmm1, zmm2
    "AVX512_VNNI": b"\x62\xf2\x75\x48\x50\xc2" + _VZEROUPPER,  # vpdpbusd zmm0, zmm1, zmm2
    "AVX512_BF16": b"\x62\xf2\x76\x48\x52\xc2" + _VZEROUPPER,  # vdpbf16ps zmm0, zmm1, zmm2
    "AVX_VNNI": b"\xc4\xe2\x75\x50\xc2" + _VZEROUPPER,  # {vex} vpdpbusd ymm0, ymm1, ymm2
    # ldtilecfg, tilezero tmm0..2, tdpbssd tmm0, tmm1, tmm2 (AMX-INT8), tilerelease
    "AMX_TILE": _AMX_CONFIG_THEN + _TILEZERO[0] + _TILERELEASE,
    "AMX_INT8": _AMX_CONFIG_THEN + _TILEZERO[0] + _TILEZERO[1] + _TILEZERO[2] + b"\xc4\xe2\x6b\x5e\xc1" + _TILERELEASE,
    "UD2": b"\x0f\x0b",  # always illegal: the probe's own test
}
# a family is tried only when the CPU flags name it (an absent one would fault for certain)
CPUINFO_FLAG = {
    "SSE42": ("sse4_2",), "AVX": ("avx",), "F16C": ("f16c",), "FMA": ("fma",), "AVX2": ("avx2",),
    "BMI2": ("bmi2",), "AVX512": ("avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"),
    "AVX512_VBMI": ("avx512vbmi",), "AVX512_VNNI": ("avx512_vnni",), "AVX512_BF16": ("avx512_bf16",),
    "AVX_VNNI": ("avx_vnni",), "AMX_TILE": ("amx_tile",), "AMX_INT8": ("amx_tile", "amx_int8"),
}

# llama.cpp's x86 variants (ggml/src/CMakeLists.txt, GGML_CPU_ALL_VARIANTS) and what each needs
X86_VARIANTS: dict[str, tuple[str, ...]] = {
    "x64": (),
    "sse42": ("SSE42",),
    "sandybridge": ("SSE42", "AVX"),
    "ivybridge": ("SSE42", "AVX", "F16C"),
    "piledriver": ("SSE42", "AVX", "F16C", "FMA"),
    "haswell": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2"),
    "skylakex": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512"),
    "cannonlake": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VBMI"),
    "cascadelake": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VNNI"),
    "icelake": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VBMI", "AVX512_VNNI"),
    "cooperlake": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VNNI", "AVX512_BF16"),
    "zen4": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16"),
    "alderlake": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX_VNNI"),
    "sapphirerapids": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VBMI", "AVX512_VNNI",
                       "AVX512_BF16", "AMX_TILE", "AMX_INT8"),
}

_VARIANT_FILE = re.compile(r"^libggml-cpu-(?P<name>[A-Za-z0-9_.]+)\.so$")


@dataclass(frozen=True)
class Variant:
    name: str
    path: Path
    needs: tuple[str, ...] | None  # None: not a variant this table knows (left to llama.cpp's score)

    @property
    def rank(self) -> int:
        return len(self.needs or ())


def is_x86_64() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def variants_in(lib_dir: Path) -> list[Variant]:
    """The CPU variants a GGML_BACKEND_DL build installed in ``lib_dir`` (empty for a plain build)."""
    found = []
    try:
        names = sorted(os.listdir(lib_dir))
    except OSError:
        return []
    for name in names:
        match = _VARIANT_FILE.match(name)
        if match:
            variant = match["name"]
            needs = X86_VARIANTS.get(variant) if is_x86_64() else None
            found.append(Variant(variant, lib_dir / name, needs))
    return found


# ------------------------------------------------------------------------------ running the code
_CHILD = r"""
import ctypes, mmap, sys
code = bytes.fromhex(sys.argv[1])
if sys.argv[2] == "amx":
    # ask Linux for the AMX tile state first (ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(158, 0x1023, 18) != 0:
        sys.exit(3)
page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(code)
address = ctypes.addressof(ctypes.c_char.from_buffer(page))
config = (ctypes.c_ubyte * 64)()
config[0] = 1  # palette 1; tiles 0-2: 16 rows of 64 bytes
for t in range(3):
    config[16 + 2 * t] = 64
    config[48 + t] = 16
ctypes.CFUNCTYPE(None, ctypes.c_void_p)(address)(ctypes.addressof(config))
print("ok")
"""


def run_snippet(family: str, timeout: float = 10.0) -> str:
    """Execute ``family``'s instructions in a child process: "ok", or why not ("SIGILL", "no-permission", ...)."""
    code = SNIPPETS[family] + _RET
    kind = "amx" if family.startswith("AMX") else "plain"
    try:
        done = subprocess.run([sys.executable, "-I", "-S", "-c", _CHILD, code.hex(), kind],
                              capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"not run ({exc.__class__.__name__})"
    if done.returncode == 0 and done.stdout.strip() == "ok":
        return "ok"
    if done.returncode == 3:
        return "no-permission"
    if done.returncode < 0:
        from engine.models.crash import signal_name

        return signal_name(-done.returncode)
    return f"exit {done.returncode}"


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def probe(families: list[str] | None = None, flags: set[str] | None = None) -> dict[str, str]:
    """family -> "ok" or the reason it cannot be used ("not advertised", "SIGILL", ...)."""
    flags = cpu_flags() if flags is None else flags
    out = {}
    for family in families or list(CPUINFO_FLAG):
        wanted = CPUINFO_FLAG.get(family, ())
        if flags and not all(f in flags for f in wanted):
            out[family] = "not advertised"
            continue
        out[family] = run_snippet(family)
    return out


# ------------------------------------------------------------------------------ cached answer
def _cache_file() -> Path:
    from engine.paths import cache_dir

    return cache_dir() / "cpu-probe.json"


def machine_key() -> str:
    flags = " ".join(sorted(cpu_flags()))
    parts = [str(PROBE_VERSION), platform.machine(), platform.release(), flags]
    return key_sha256(parts)[:24]


def _read_cache() -> dict:
    try:
        data = json.loads(_cache_file().read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_cache(data: dict) -> None:
    target = _cache_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, json.dumps(data, indent=1, sort_keys=True))
    except OSError:
        pass  # a read-only cache only costs a probe next time


def machine_record() -> dict:
    """{"families": {family: result}, "bad_variants": [...]} for this machine, probing once."""
    data = _read_cache()
    key = machine_key()
    record = data.get(key)
    if not isinstance(record, dict) or not isinstance(record.get("families"), dict):
        record = {"families": probe(), "bad_variants": []}
        data[key] = record
        _write_cache(data)
    return record


def mark_bad(variant: str) -> None:
    """Never choose ``variant`` on this machine again (it crashed with SIGILL)."""
    data = _read_cache()
    key = machine_key()
    record = data.get(key) if isinstance(data.get(key), dict) else machine_record()
    bad = set(record.get("bad_variants") or [])
    bad.add(variant)
    record["bad_variants"] = sorted(bad)
    data[key] = record
    _write_cache(data)


@dataclass(frozen=True)
class Choice:
    variant: Variant | None  # None: a plain build (one libggml-cpu linked in), nothing to choose
    skipped: dict[str, str]  # variant -> why it was not chosen


def choose(lib_dir: Path, score=None, record: dict | None = None) -> Choice:
    """The best variant in ``lib_dir`` whose instructions all ran here.

    ``score(path) -> int`` is llama.cpp's own ``ggml_backend_score`` of a variant (0: CPUID says
    no); it breaks ties and decides for variants the table does not know.
    """
    variants = variants_in(lib_dir)
    if not variants:
        return Choice(None, {})
    if record is None:
        record = machine_record() if is_x86_64() else {"families": {}, "bad_variants": []}
    families = record["families"]
    bad = set(record.get("bad_variants") or [])
    skipped: dict[str, str] = {}
    usable = []
    for variant in variants:
        if variant.name in bad:
            skipped[variant.name] = "crashed with SIGILL here before"
            continue
        if variant.needs is not None:
            failing = [f for f in variant.needs if families.get(f) != "ok"]
            if failing:
                skipped[variant.name] = ", ".join(f"{f}: {families.get(f, 'not probed')}" for f in failing)
                continue
        s = score(variant.path) if score else 1
        if s <= 0:
            skipped[variant.name] = "llama.cpp: not supported by this CPU"
            continue
        if variant.needs is None and is_x86_64():
            skipped[variant.name] = "not a variant Scenewright knows (kept as a last resort)"
            usable.append((-1, s, variant))
            continue
        usable.append((variant.rank, s, variant))
    if not usable:
        return Choice(None, skipped)
    usable.sort(key=lambda item: (item[0], item[1]))
    best = usable[-1][2]
    skipped.pop(best.name, None)
    return Choice(best, skipped)


def ggml_score(path: Path) -> int:
    """llama.cpp's ``ggml_backend_score()`` of a variant library (CPUID-based; 0 = unsupported)."""
    try:
        lib = ctypes.CDLL(str(path), mode=os.RTLD_LOCAL)
    except OSError:
        return 0
    fn = getattr(lib, "ggml_backend_score", None)
    if fn is None:
        return 0
    fn.restype = ctypes.c_int
    return int(fn())


def main() -> int:  # python -m engine.models.cpu_probe: what this machine runs
    result = probe()
    for family, outcome in result.items():
        print(f"{family:12} {outcome}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
