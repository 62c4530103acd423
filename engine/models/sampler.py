"""The sampling loop's token choice: llama.cpp's samplers, a grammar checked the cheap way.

``llama_cpp.Llama.generate`` builds one sampler chain with the grammar *inside* it, so every
token runs the grammar over the whole vocabulary (262,144 entries for Gemma 3), and it has no
DRY sampler. This chain is what llama.cpp's own ``common_sampler`` does instead:

    penalties (repeat, frequency, presence) -> DRY -> top-k -> top-p -> min-p -> temperature -> dist

and the grammar is a separate sampler. The chain draws a token from the raw logits; only that
one token is checked against the grammar; when the grammar rejects it, the logits are filtered
by the grammar over the whole vocabulary and the chain draws again. Both samplers then accept
the token (in practice from a shortlist of the 512 likeliest, see ``_draw_shortlist``). The penalties and DRY see the tail of the prompt too (``history``), as llama.cpp's
server does, so a continuation is pushed away from repeating the script word for word.

Runs in the model process (it calls into libllama).
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Sequence

# DRY's sequence breakers: a repeated run is not followed across one of these. llama.cpp's defaults
# less "\n" and plus "\n\n": a screenplay loop repeats whole lines (a cue, then its speech).
DRY_BREAKERS = ("\n\n", ":", "\"", "*")
SHORTLIST = 512  # tokens the grammar filters when it turns down the one drawn (see _draw_shortlist)
PENALTY_LAST_N = 64  # tokens the repeat/frequency/presence penalties look back over (llama-cpp-python's)


class GrammarError(ValueError):
    """llama.cpp refused the grammar (its parser logs the line at fault)."""


class TokenSampler:
    """Draws tokens for one continuation from ``llm``'s current logits; ``accept`` each one."""

    def __init__(self, llm, sampling, seed: int, dry_cache: "DryCache", history: Sequence[int] = ()):
        import llama_cpp
        from llama_cpp._internals import LlamaTokenDataArray

        self._lib = llama_cpp
        self._ctx = llm._ctx.ctx
        self._vocab = llm._model.vocab
        self._n_vocab = llm.n_vocab()
        self._n_ctx = llm.n_ctx()
        self._chain = None
        self._pre = None  # the penalties, before DRY
        self._dry = None  # DRY, borrowed from ``dry_cache`` (its set-up scans the vocabulary)
        self._grammar = None
        self.rejections = 0  # tokens the grammar turned down (each cost one full-vocabulary pass)
        self._build_chain(sampling, seed, dry_cache)
        grammar = getattr(sampling, "grammar", None)
        if grammar:
            self._grammar = llama_cpp.llama_sampler_init_grammar(self._vocab, grammar.encode("utf-8"), b"root")
            if not self._grammar:
                self.close()
                raise GrammarError("llama.cpp could not parse the Fountain grammar (its log says where)")
        for token in list(history)[-max(PENALTY_LAST_N, _dry_window(sampling, self._n_ctx)):]:
            self._accept_samplers(token)
        self._candidates = LlamaTokenDataArray(n_vocab=self._n_vocab)
        self._one_data = (llama_cpp.llama_token_data * 1)()
        self._one = llama_cpp.llama_token_data_array(data=self._one_data, size=1, selected=-1, sorted=False)
        self._shortlist_data = (llama_cpp.llama_token_data * SHORTLIST)()
        self._shortlist = llama_cpp.llama_token_data_array(data=self._shortlist_data, size=SHORTLIST,
                                                           selected=-1, sorted=False)

    def _build_chain(self, s, seed: int, dry_cache: "DryCache") -> None:
        lib = self._lib
        freq = getattr(s, "frequency_penalty", 0.0) or 0.0
        presence = getattr(s, "presence_penalty", 0.0) or 0.0
        if s.repeat_penalty != 1.0 or freq or presence:
            self._pre = lib.llama_sampler_init_penalties(self._n_vocab, PENALTY_LAST_N, s.repeat_penalty, freq,
                                                         presence)
        if (getattr(s, "dry_multiplier", 0.0) or 0.0) > 0:
            params = (float(s.dry_multiplier), float(s.dry_base), int(s.dry_allowed_length), _dry_window(s, self._n_ctx))
            self._dry = dry_cache.get(self._vocab, params)
        chain = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
        self._chain = chain
        add = lambda sampler: lib.llama_sampler_chain_add(chain, sampler)  # noqa: E731
        if s.temperature == 0:
            add(lib.llama_sampler_init_greedy())
            return
        if s.top_k > 0:
            add(lib.llama_sampler_init_top_k(s.top_k))
        if s.top_p < 1.0:
            add(lib.llama_sampler_init_top_p(s.top_p, 1))
        if s.min_p > 0:
            add(lib.llama_sampler_init_min_p(s.min_p, 1))
        add(lib.llama_sampler_init_temp(s.temperature))
        add(lib.llama_sampler_init_dist(seed))

    def _logits(self):
        import numpy as np

        ptr = self._lib.llama_get_logits_ith(self._ctx, -1)
        return np.ctypeslib.as_array(ptr, shape=(self._n_vocab,))

    def _draw(self, with_grammar: bool) -> int:
        cand = self._candidates
        cand.copy_logits(self._logits())
        cand.candidates.selected = -1
        ref = ctypes.byref(cand.candidates)
        if with_grammar:
            self._lib.llama_sampler_apply(self._grammar, ref)
        self._apply_samplers(ref)
        selected = cand.candidates.selected
        if selected < 0 or selected >= cand.candidates.size:
            raise RuntimeError("llama.cpp's sampler chain selected no token")
        return int(cand.candidates_data.id[selected])

    def sample(self) -> int:
        token = self._draw(False)
        if self._grammar is None or self._allowed(token):
            return token
        self.rejections += 1
        token = self._draw_shortlist()
        return token if token is not None else self._draw(True)

    def _draw_shortlist(self) -> int | None:
        """Draw again from the ``SHORTLIST`` most likely tokens that the grammar allows, or None
        when it allows none of them. Running llama.cpp's grammar over all of Gemma 3's 262,144
        tokens costs about 150 ms on this 2-core machine; over 512 it costs well under one. The
        chain's top-k (40 by default) keeps at most the 40 best allowed tokens anyway; the
        shortlist differs from the whole vocabulary only when fewer than ``top_k`` tokens of the
        512 are allowed, and then only by tokens ranked below 512th."""
        import numpy as np

        logits = self._logits()
        n = min(SHORTLIST, self._n_vocab)
        ids = np.argpartition(logits, -n)[-n:] if n < self._n_vocab else np.arange(self._n_vocab)
        small = self._shortlist
        small_data = self._shortlist_data
        for i, token in enumerate(ids.tolist()):
            entry = small_data[i]
            entry.id, entry.logit, entry.p = token, float(logits[token]), 0.0
        small.size, small.selected, small.sorted = n, -1, False
        ref = ctypes.byref(small)
        self._lib.llama_sampler_apply(self._grammar, ref)
        if all(math.isinf(small_data[i].logit) for i in range(n)):
            return None
        self._apply_samplers(ref)
        if small.selected < 0 or small.selected >= small.size:
            return None
        return int(small_data[small.selected].id)

    def _allowed(self, token: int) -> bool:
        one = self._one_data[0]
        one.id, one.logit, one.p = token, 1.0, 0.0
        self._one.size, self._one.selected, self._one.sorted = 1, -1, False
        self._lib.llama_sampler_apply(self._grammar, ctypes.byref(self._one))
        return not math.isinf(self._one_data[0].logit)

    def _samplers(self) -> list:
        """In order: the penalties, DRY, then the chain (top-k/top-p/min-p, temperature, the draw)."""
        return [s for s in (self._pre, self._dry, self._chain) if s]

    def _apply_samplers(self, ref) -> None:
        for sampler in self._samplers():
            self._lib.llama_sampler_apply(sampler, ref)

    def _accept_samplers(self, token: int) -> None:
        for sampler in self._samplers():
            self._lib.llama_sampler_accept(sampler, token)

    def accept(self, token: int) -> None:
        self._accept_samplers(token)
        if self._grammar is not None:
            self._lib.llama_sampler_accept(self._grammar, token)

    def close(self) -> None:
        lib = self._lib
        if self._chain:
            lib.llama_sampler_free(self._chain)
            self._chain = None
        if self._pre:
            lib.llama_sampler_free(self._pre)
            self._pre = None
        self._dry = None  # the cache's, freed with it
        if self._grammar:
            lib.llama_sampler_free(self._grammar)
            self._grammar = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def _dry_window(sampling, n_ctx: int) -> int:
    """The tokens DRY looks back over: ``dry_penalty_last_n``, -1 for the whole context (0: DRY is off)."""
    last_n = getattr(sampling, "dry_penalty_last_n", 0) or 0
    return 0 if (getattr(sampling, "dry_multiplier", 0.0) or 0.0) <= 0 else (n_ctx if last_n < 0 else last_n)


def _init_dry(vocab, params: tuple[float, float, int, int]):
    import llama_cpp

    multiplier, base, allowed_length, last_n = params
    breakers = (ctypes.c_char_p * len(DRY_BREAKERS))(*(b.encode("utf-8") for b in DRY_BREAKERS))
    # llama.cpp reads dry_penalty_last_n = -1 ("the whole context") as 0, which turns DRY off:
    # the caller passes the context's size (``_dry_window``)
    return llama_cpp.llama_sampler_init_dry(vocab, multiplier, base, allowed_length, last_n, breakers,
                                            len(DRY_BREAKERS))


class DryCache:
    """DRY samplers kept for a loaded model, one per setting, reset for each continuation.
    Setting one up scans the whole vocabulary for the sequence breakers: about 60 ms of every
    time to first token with Gemma 3's 262,144 tokens on this 2-core machine, paid once here."""

    def __init__(self):
        self._samplers: dict[tuple, object] = {}

    def get(self, vocab, params: tuple[float, float, int, int]):
        import llama_cpp

        sampler = self._samplers.get(params)
        if sampler is None:
            sampler = self._samplers[params] = _init_dry(vocab, params)
        else:
            llama_cpp.llama_sampler_reset(sampler)
        return sampler

    def close(self) -> None:
        import llama_cpp

        for sampler in self._samplers.values():
            llama_cpp.llama_sampler_free(sampler)
        self._samplers.clear()
