"""Does a GBNF grammar accept a text? Asked of llama.cpp's own grammar sampler, character by character.

Each character is fed as the token(s) the model's vocabulary spells it with, so the verdict is
the one llama.cpp reaches while sampling, not a reimplementation of GBNF.
"""

from __future__ import annotations

import ctypes
import math


def grammar_accepts(llm, grammar: str, text: str, *, complete: bool = False) -> bool:
    """True when ``grammar`` allows ``text`` as the start of a continuation (``complete``: and lets it end there)."""
    import llama_cpp

    vocab = llm._model.vocab
    sampler = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode("utf-8"), b"root")
    assert sampler, "llama.cpp could not parse the grammar"
    data = (llama_cpp.llama_token_data * 1)()
    array = llama_cpp.llama_token_data_array(data=data, size=1, selected=-1, sorted=False)

    def allowed(token: int) -> bool:
        data[0].id, data[0].logit, data[0].p = token, 1.0, 0.0
        array.size, array.selected = 1, -1
        llama_cpp.llama_sampler_apply(sampler, ctypes.byref(array))
        return not math.isinf(data[0].logit)

    try:
        for char in text:
            for token in llm.tokenize(char.encode("utf-8"), add_bos=False, special=False):
                if not allowed(token):
                    return False
                llama_cpp.llama_sampler_accept(sampler, token)
        return allowed(llm.token_eos()) if complete else True
    finally:
        llama_cpp.llama_sampler_free(sampler)
