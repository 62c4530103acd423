"""Steering the model like a writer would: anchors and the prompt library (TOML in, TOML out).

    from engine.steering import AnchorStore, select_anchors, load_library, prepare_prompt

    store = AnchorStore.for_script("night-shift.fountain")   # night-shift.anchors.toml beside it
    if store.error: ...                                      # malformed: reported, file left as is
    selection = select_anchors(store.anchors, text, row, 400, count_tokens)
    library = load_library()                                 # built-in + config_dir()/prompts
    rendered, problems = prepare_prompt(text, (row, col), store=store, script_path=path,
                                        count_tokens=count_tokens, budget_tokens=budget)
    rendered.sections        # (Section(name, text, tokens), ...) instructions, anchors, examples, script, request
    rendered.ref             # (prompt id, version) to record with the suggestion

Knows nothing of the TUI; token counts come from the caller's ``count_tokens`` (the model's own
tokenizer: ``engine.steering.tokens.model_token_counter()`` or a loaded model's ``count_tokens``).
"""

from .anchors import (
    KINDS,
    Anchor,
    AnchorError,
    Choice,
    Scope,
    Selection,
    anchor_from_dict,
    anchors_block,
    new_anchor_id,
    select_anchors,
)
from .examples import Example, collect_examples, fit_examples
from .prompts import (
    REQUEST_KINDS,
    Prompt,
    PromptError,
    PromptLibrary,
    load_library,
    save_new_version,
    search_prompts,
    user_prompts_dir,
)
from .render import (
    RenderedPrompt,
    Section,
    Trimmed,
    choose_prompt,
    prepare_prompt,
    render_prompt,
    request_overrides,
    script_style,
)
from .store import AnchorStore, ImportResult, StoreError, StoreSettings, store_path
from .structure import ScriptMap
from .template import TemplateError, parse_template

__all__ = [
    "KINDS",
    "REQUEST_KINDS",
    "Anchor",
    "AnchorError",
    "AnchorStore",
    "Choice",
    "Example",
    "ImportResult",
    "Prompt",
    "PromptError",
    "PromptLibrary",
    "RenderedPrompt",
    "Scope",
    "ScriptMap",
    "Section",
    "Selection",
    "StoreError",
    "StoreSettings",
    "TemplateError",
    "Trimmed",
    "anchor_from_dict",
    "anchors_block",
    "choose_prompt",
    "collect_examples",
    "fit_examples",
    "load_library",
    "new_anchor_id",
    "parse_template",
    "prepare_prompt",
    "render_prompt",
    "request_overrides",
    "save_new_version",
    "script_style",
    "search_prompts",
    "select_anchors",
    "store_path",
    "user_prompts_dir",
]
