"""A PEFT LoRA adapter -> a GGUF LoRA file that llama.cpp (``lora_path``) applies to the base.

The conversion is llama.cpp's own ``convert_lora_to_gguf.py``, the one that matches the llama.cpp
inside the installed llama-cpp-python: it ships in llama-cpp-python's source distribution
(``vendor/llama.cpp``), which is where pip built the installed one from. It is looked for in:

1. ``$SCENEWRIGHT_LLAMA_CPP`` (a llama.cpp checkout),
2. ``cache_dir()/llama.cpp-<version>/`` (unpacked here before),
3. else the sdist of the installed version is fetched with pip (from the package index, the only
   network it needs) and the converter, ``convert_hf_to_gguf.py``, ``conversion/`` and ``gguf-py/``
   are unpacked into (2).

The converter needs the base model's Hugging Face ``config.json`` (never its weights): it is
written from the config transformers read out of the GGUF file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

from engine.atomicfile import move_into_place
from engine.paths import cache_dir

from .errors import TrainingError

NEEDED = ("convert_lora_to_gguf.py", "convert_hf_to_gguf.py", "conversion/", "gguf-py/")


def llama_cpp_version() -> str:
    try:
        return metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        raise TrainingError("llama-cpp-python is not installed: the adapter's GGUF converter comes with it") from None


def converter_dir(fetch: bool = True) -> Path:
    env = os.environ.get("SCENEWRIGHT_LLAMA_CPP")
    if env:
        path = Path(env).expanduser()
        if not (path / "convert_lora_to_gguf.py").is_file():
            raise TrainingError(f"SCENEWRIGHT_LLAMA_CPP={env}: no convert_lora_to_gguf.py there (a llama.cpp checkout)")
        return path
    version = llama_cpp_version()
    target = cache_dir() / f"llama.cpp-{version}"
    if (target / "convert_lora_to_gguf.py").is_file():
        return target
    if not fetch:
        raise TrainingError(f"llama.cpp's converter is not unpacked in {target}")
    return _unpack_sdist(version, target)


def _unpack_sdist(version: str, target: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="scenewright-sdist-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--quiet",
               f"llama-cpp-python=={version}", "-d", tmp]
        done = subprocess.run(cmd, capture_output=True, text=True)
        archives = list(Path(tmp).glob("llama_cpp_python-*.tar.gz"))
        if done.returncode != 0 or not archives:
            raise TrainingError(
                f"could not fetch llama-cpp-python {version}'s source (for llama.cpp's convert_lora_to_gguf.py): "
                f"{(done.stderr or done.stdout).strip().splitlines()[-1:] or ['no archive']}. Point "
                "SCENEWRIGHT_LLAMA_CPP at a llama.cpp checkout instead.")
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        with tarfile.open(archives[0]) as tar:
            members = []
            for member in tar.getmembers():
                parts = member.name.split("/", 3)
                if len(parts) < 4 or parts[1:3] != ["vendor", "llama.cpp"]:
                    continue
                rest = parts[3]
                if any(rest == n or (n.endswith("/") and rest.startswith(n)) for n in NEEDED):
                    member.name = rest
                    members.append(member)
            if not any(m.name == "convert_lora_to_gguf.py" for m in members):
                raise TrainingError(f"{archives[0].name} holds no vendor/llama.cpp/convert_lora_to_gguf.py")
            tar.extractall(staging, members=members, filter="data")
        move_into_place(staging, target, replace_folder=True)
    return target


def write_base_config(model, folder: Path) -> Path:
    """The base's config.json as the converter reads it (architectures set, no GGUF quantisation)."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    config = model.config.to_dict()
    config.pop("quantization_config", None)
    config["architectures"] = [type(model).__name__ if not hasattr(model, "base_model") else
                               type(model.get_base_model()).__name__]
    (folder / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return folder


def to_gguf(adapter_dir: Path, base_config_dir: Path, out_file: Path) -> Path:
    """Run llama.cpp's converter; TrainingError with its last lines when it fails."""
    tools = converter_dir()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tools / "gguf-py"), str(tools)] +
                                        ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["HF_HUB_OFFLINE"] = "1"  # the base config is local: never ask the hub
    tmp = out_file.with_name(out_file.name + ".partial")
    cmd = [sys.executable, str(tools / "convert_lora_to_gguf.py"), "--base", str(base_config_dir),
           "--outfile", str(tmp), "--outtype", "f32", str(adapter_dir)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=str(tools), env=env)
    if done.returncode != 0 or not tmp.is_file():
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-4:])
        raise TrainingError(f"llama.cpp's convert_lora_to_gguf.py failed on {adapter_dir}:\n{tail}")
    move_into_place(tmp, out_file)
    return out_file
