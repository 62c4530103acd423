"""What the model reads: a stable prefix, then the script before the cursor, within the token budget.

The prefix is a list of ``PromptPart`` (instructions now; anchors and examples in later issues)
and always comes first and whole, so llama.cpp's KV cache keeps it between requests. The script
before the cursor follows, trimmed from the front **at scene boundaries** (``engine.fountain``
scene headings) until the prompt fits ``n_ctx - max_tokens`` tokens, counted with the model's own
tokenizer. Trimming at scene boundaries keeps the prompt's beginning unchanged while the writer
types, so the next request only evaluates the new words. When the scene with the cursor alone is
too long, it is trimmed at paragraph, then line boundaries below its heading (the heading stays).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

DEFAULT_INSTRUCTIONS = (
    "The following is a screenplay written in Fountain, the plain-text screenplay format. "
    "Scene headings begin with INT. or EXT.; a character's name is in capitals on its own line, "
    "followed by their dialogue; parentheticals are in brackets; action is written in plain paragraphs; "
    "elements are separated by blank lines.\n\n"
)

CHAT_REQUEST = "Continue this screenplay from exactly where it stops. Reply with Fountain text only.\n\n"


@dataclass(frozen=True)
class PromptPart:
    """One piece of the stable prefix (``name`` says what it is: instructions, anchors, examples)."""

    name: str
    text: str


@dataclass(frozen=True)
class AssembledContext:
    prompt: str  # the full prompt text
    tokens: list[int]  # the prompt's tokens (what llama.cpp evaluates)
    script_chars: int  # characters of the script included
    dropped_chars: int  # characters of the script before the cursor left out
    first_line: int  # script line (0-based) where the included script starts
    budget: int  # tokens the prompt could use


def text_before_cursor(script: str, cursor: tuple[int, int]) -> str:
    """The script up to the cursor (row and column count lines and characters, 0-based)."""
    lines = script.split("\n")
    row = max(0, min(cursor[0], len(lines) - 1))
    col = max(0, min(cursor[1], len(lines[row])))
    return "\n".join(lines[:row] + [lines[row][:col]])


def scene_starts(text: str) -> list[int]:
    """Character offsets of the lines holding scene headings."""
    from engine.fountain import Kind, parse

    line_offsets = _line_offsets(text)
    starts = []
    for element in parse(text).elements:
        if element.kind == Kind.SCENE_HEADING and element.line < len(line_offsets):
            starts.append(line_offsets[element.line])
    return starts


def _line_offsets(text: str) -> list[int]:
    offsets, pos = [], 0
    for line in text.split("\n"):
        offsets.append(pos)
        pos += len(line) + 1
    return offsets


class ContextBuilder:
    """Builds prompts for one model: ``tokenize(text, add_bos, special)``, ``render_chat(messages)``."""

    def __init__(
        self,
        tokenize: Callable[[str, bool, bool], list[int]],
        prompt_format: str = "raw",
        render_chat: Callable[[list[dict[str, str]]], str] | None = None,
        bos_text: str = "",
    ):
        self._tokenize = tokenize
        self.prompt_format = prompt_format
        self._render_chat = render_chat
        self._bos_text = bos_text

    def prompt_text(self, prefix: Sequence[PromptPart], script: str) -> str:
        head = "".join(part.text for part in prefix)
        if self.prompt_format == "chat":
            assert self._render_chat is not None
            return self._render_chat(
                [{"role": "system", "content": head.strip()}, {"role": "user", "content": CHAT_REQUEST + script}]
            )
        return head + script

    def tokens(self, prompt: str) -> list[int]:
        if self.prompt_format == "chat":
            # the template writes special tokens as text; add BOS only when it did not
            add_bos = not (self._bos_text and prompt.startswith(self._bos_text))
            return self._tokenize(prompt, add_bos, True)
        return self._tokenize(prompt, True, False)

    def build(
        self, prefix: Sequence[PromptPart], script: str, cursor: tuple[int, int], budget: int
    ) -> AssembledContext:
        before = text_before_cursor(script, cursor)
        if budget <= 0:
            raise ValueError("no room for a prompt: max_tokens is as large as the context")

        def attempt(start: int, heading: str = "") -> tuple[str, list[int]]:
            prompt = self.prompt_text(prefix, heading + before[start:])
            return prompt, self.tokens(prompt)

        prompt, tokens = attempt(0)
        if len(tokens) <= budget:
            return self._result(prompt, tokens, before, 0, budget)

        scenes = scene_starts(before)
        fit = first_fit([s for s in scenes if s > 0], lambda s: len(attempt(s)[1]) <= budget)
        if fit is not None:
            prompt, tokens = attempt(fit)
            return self._result(prompt, tokens, before, fit, budget)

        # The scene with the cursor does not fit alone: keep its heading, trim below it at
        # paragraph, then line, then character boundaries.
        heading, body_from = "", 0
        if scenes:
            heading_end = before.find("\n", scenes[-1])
            if heading_end > 0:
                heading = before[scenes[-1] : heading_end].strip() + "\n\n"
                body_from = heading_end + 1
        for cuts in (
            cut_points(before, "\n\n", body_from),
            cut_points(before, "\n", body_from),
            range(body_from, len(before) + 1),
        ):
            fit = first_fit(cuts, lambda s: len(attempt(s, heading)[1]) <= budget)
            if fit is not None:
                prompt, tokens = attempt(fit, heading)
                return self._result(prompt, tokens, before, fit, budget)
        raise ValueError("the instructions alone do not fit the context window")

    def _result(self, prompt, tokens, before, start, budget) -> AssembledContext:
        first_line = before.count("\n", 0, start)
        return AssembledContext(
            prompt=prompt,
            tokens=tokens,
            script_chars=len(before) - start,
            dropped_chars=start,
            first_line=first_line,
            budget=budget,
        )


def cut_points(text: str, separator: str, start: int) -> list[int]:
    cuts, pos = [], text.find(separator, start)
    while pos >= 0:
        cuts.append(pos + len(separator))
        pos = text.find(separator, pos + len(separator))
    return [c for c in cuts if c < len(text)]


def first_fit(cuts: Sequence[int], fits: Callable[[int], bool]) -> int | None:
    """The earliest cut that fits (prompts shrink as the cut moves right): binary search."""
    if not cuts or not fits(cuts[-1]):
        return None
    lo, hi = 0, len(cuts) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(cuts[mid]):
            hi = mid
        else:
            lo = mid + 1
    return cuts[lo]


