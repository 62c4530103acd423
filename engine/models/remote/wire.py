"""The OpenAI-compatible protocol's JSON, as this backend sends and reads it: the completion
request body, the fields of a streamed chunk and of the final usage/timings, the tokenize
routes of llama_cpp.server, llama.cpp's server and vLLM, and the error bodies servers send.
No network here: plain data in, plain data out."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ..backend import EOS, LENGTH, StreamEnd
from ..registry import ModelEntry

__all__ = ["ChatPrompt", "chunk_texts", "completion_body", "completion_url", "error_text", "props_ctx",
           "reply_tokens", "root", "stream_end", "tokenize_body", "tokenize_url"]


class ChatPrompt(str):
    """A chat prompt: a plain-text rendering (what is shown and counted) that keeps its messages."""

    messages: list[dict[str, str]]

    def __new__(cls, messages: list[dict[str, str]]):
        text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        self = super().__new__(cls, text + "<|im_start|>assistant\n")
        self.messages = [dict(m) for m in messages]
        return self


def root(entry: ModelEntry) -> str:
    """The server's own root: ``base_url`` without its ``/v1``."""
    base = entry.base_url or ""
    return base[: -len("/v1")] if base.endswith("/v1") else base


# ------------------------------------------------------------------ completions
def completion_url(entry: ModelEntry) -> str:
    return f"{entry.base_url}/{'chat/completions' if entry.endpoint == 'chat' else 'completions'}"


def completion_body(entry: ModelEntry, prompt: str, sampling, seed: int, max_tokens: int) -> dict[str, Any]:
    body: dict[str, Any] = {"model": entry.served_model, "stream": True, "max_tokens": max_tokens,
                            "temperature": sampling.temperature, "top_p": sampling.top_p, "seed": seed,
                            "stream_options": {"include_usage": True}}
    # Not in the OpenAI API; llama.cpp's servers and vLLM read them, others ignore them.
    body.update(top_k=sampling.top_k, min_p=sampling.min_p, repeat_penalty=sampling.repeat_penalty,
                repetition_penalty=sampling.repeat_penalty)
    for key in ("frequency_penalty", "presence_penalty"):  # OpenAI's own fields
        if getattr(sampling, key, 0.0):
            body[key] = getattr(sampling, key)
    if getattr(sampling, "dry_multiplier", 0.0):  # llama.cpp's server (vLLM and Ollama ignore them)
        body.update(dry_multiplier=sampling.dry_multiplier, dry_base=sampling.dry_base,
                    dry_allowed_length=sampling.dry_allowed_length,
                    dry_penalty_last_n=sampling.dry_penalty_last_n)
    grammar = getattr(sampling, "grammar", None)
    if grammar:  # Fountain-shaped generation: llama.cpp's servers read `grammar`, vLLM `guided_grammar`
        body["grammar"] = grammar
        body["guided_grammar"] = grammar
    if entry.cache_prompt:
        body["cache_prompt"] = True  # llama.cpp: keep the prompt's KV cache for the next request
    if entry.endpoint == "chat":
        messages = getattr(prompt, "messages", None) or [{"role": "user", "content": str(prompt)}]
        body["messages"] = messages
    else:
        body["prompt"] = str(prompt)
    return body


def chunk_texts(chunk: dict) -> list[tuple[str | None, str | None]]:
    """``(text, finish_reason)`` of each choice of a streamed chunk (completions or chat)."""
    out = []
    for choice in chunk.get("choices") or ():
        text = choice.get("text")
        if text is None:
            text = (choice.get("delta") or {}).get("content")
        out.append((text, choice.get("finish_reason")))
    return out


def stream_end(finish: str | None, usage: dict, timings: dict) -> StreamEnd:
    """The end of a finished stream from OpenAI's ``usage`` and llama.cpp's ``timings``."""
    reason = LENGTH if finish == "length" else EOS
    details = usage.get("prompt_tokens_details") or {}
    cached = timings.get("cache_n") or details.get("cached_tokens") or 0
    evaluated = timings.get("prompt_n") or 0
    return StreamEnd(
        reason,
        generated=usage.get("completion_tokens") or timings.get("predicted_n") or None,
        prompt_tokens=usage.get("prompt_tokens") or ((cached + evaluated) if evaluated else None),
        cached_tokens=int(cached),
        evaluated_tokens=int(evaluated),
        prompt_ms=float(timings.get("prompt_ms") or 0.0),
    )


# ------------------------------------------------------------------ tokenizing, server facts
def tokenize_url(entry: ModelEntry, kind: str | None) -> str:
    return f"{root(entry)}/extras/tokenize" if kind == "extras" else f"{root(entry)}/tokenize"


def tokenize_body(entry: ModelEntry, kind: str | None, text: str) -> dict:
    if kind == "extras":  # llama_cpp.server
        return {"input": text, "model": entry.served_model}
    # llama.cpp's server reads `content`, vLLM `prompt`; each ignores the other's field
    return {"content": text, "prompt": text, "model": entry.served_model, "add_special": False,
            "add_special_tokens": False}


def reply_tokens(reply: Any) -> list[int] | None:
    """The token ids of a tokenize reply (ints, or ``{"id": ...}`` objects), None if it has none."""
    tokens = reply.get("tokens") if isinstance(reply, dict) else None
    if not isinstance(tokens, list):
        return None
    return [t if isinstance(t, int) else int(t.get("id", -1)) if isinstance(t, dict) else -1 for t in tokens]


def props_ctx(reply: Any) -> int | None:
    """The context size in llama.cpp's ``GET /props`` reply."""
    if not isinstance(reply, dict):
        return None
    settings = reply.get("default_generation_settings") or {}
    value = settings.get("n_ctx") or reply.get("n_ctx")
    return value if isinstance(value, int) and value > 0 else None


# ------------------------------------------------------------------ errors
def error_text(response: httpx.Response) -> str:
    """What an error reply says, in its server's shape (OpenAI's ``error``, FastAPI's ``detail``)."""
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300]
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict):
            return str(err.get("message") or err)[:300]
        if err:
            return str(err)[:300]
        if data.get("detail"):
            return str(data["detail"])[:300]
        if data.get("message"):
            return str(data["message"])[:300]
    return json.dumps(data)[:300]
