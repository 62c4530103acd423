"""The command palette's entries, built from the key registry (``tui/keymap.py``): every key of
the app, of the screen the palette is opened over and of the widgets shown on it, and the
registry's entries without a key (choose a model, mark the script in the edit log...).

An entry is listed only when its action can do something now (the widget's ``check_action``:
accept while a suggestion is on offer, stop while one is being written, pick A or B in a blind
comparison), and runs the action on the widget that declares the key, as the key would. The
help line names the key, with the writer's key map applied. Textual's own entries ("Theme",
"Quit", "Keys", ...) come first; a registry entry with the same title is left out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from functools import lru_cache, partial

from textual.actions import parse
from textual.app import App, SystemCommand
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget

from .keymap import REGISTRY, Key, key_name, keys, palette_title


@lru_cache(maxsize=None)
def scopes(cls: type[DOMNode]) -> tuple[str, ...]:
    """The registry scopes whose keys ``cls`` (or a base) declares."""
    found: list[str] = []
    for base in cls.__mro__:
        for attr in ("BINDINGS", "COMPLETION_BINDINGS"):
            for binding in base.__dict__.get(attr, []):
                key = REGISTRY.get(getattr(binding, "id", None) or "")
                if key is not None and key.where not in found:
                    found.append(key.where)
    return tuple(found)


def _shown(node: DOMNode) -> bool:
    return all(n.display for n in node.ancestors_with_self if isinstance(n, Widget))


def _nodes(app: App, screen: Screen) -> list[DOMNode]:
    """The app, the screen, the focused widget and its parents, then every other widget shown."""
    focused = [n for n in (screen.focused.ancestors_with_self if screen.focused else []) if isinstance(n, Widget)]
    rest = [w for w in screen.query("*") if w not in focused and _shown(w)]
    return [app, screen, *focused, *rest]


def _live(app: App, node: DOMNode, key: Key) -> bool:
    """Whether ``key``'s action on ``node`` can do something now."""
    if key.when is not None and not getattr(node, key.when, None):
        return False
    namespace, name, params = parse(key.action)
    target = {"": node, "screen": node if isinstance(node, Screen) else node.screen, "app": app}.get(namespace)
    return target is not None and bool(target.check_action(name, params))


def registry_commands(app: App, screen: Screen, taken: Collection[str] = ()) -> Iterator[SystemCommand]:
    """The palette entries of the registry's keys that apply on ``screen`` now."""
    seen = set(taken)
    for node in _nodes(app, screen):
        for scope in scopes(type(node)):
            for key in keys(scope):
                title = palette_title(key)
                if title is None or title in seen or not _live(app, node, key):
                    continue
                seen.add(title)
                shown = REGISTRY[key.same] if key.same is not None else key
                help_text = f"{shown.help} ({key_name(app, key.id)})" if key.is_binding else shown.help
                yield SystemCommand(title, help_text, partial(app.run_action, key.action, node))
