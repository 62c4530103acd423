"""Themes: TOML files that set the Textual theme and the colour of each Fountain element.

A theme file (``themes/dark.toml``, or the writer's own in ``config_dir()/themes/``)::

    name = "dark"
    dark = true
    primary = "#61afef"          # Textual theme colours: primary secondary accent warning
    background = "#1e2127"       # error success foreground background surface panel boost
    [fountain]                   # a Rich style per element kind and inline span style
    scene_heading = "bold #e5c07b"
    ai_text = "underline"        # AI-written text, when shown (the editor's toggle)
    [variables]                  # optional Textual CSS variables, e.g. "footer-key-foreground"

Bundled themes load first; a user file with the same ``name`` replaces the bundled one. Every
problem (bad TOML, a colour that does not parse, an unknown key) is a ``ConfigError`` naming
file, line and key; the other themes still load. Fountain styles a theme leaves out, and all
of them for Textual's own themes, are derived from the theme's colours, so every theme in the
switcher highlights the script.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.errors import StyleSyntaxError
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.theme import Theme
from textual.widgets.text_area import TextAreaTheme

from engine.fountain import Kind
from engine.paths import bundled, config_dir
from engine.tomlconf import ConfigError, TomlFile, load_toml

from .highlight import EXTRA_STYLES, HIGHLIGHT_PREFIX, SPAN_STYLES

DEFAULT_THEME = "dark"

COLOR_KEYS = (
    "primary", "secondary", "accent", "warning", "error", "success",
    "foreground", "background", "surface", "panel", "boost",
)
FOUNTAIN_KEYS = (
    tuple(k.value for k in Kind) + tuple(s for s in SPAN_STYLES if s not in {k.value for k in Kind}) + EXTRA_STYLES
)
_TOP_KEYS = {"name", "dark", "fountain", "variables", *COLOR_KEYS}


@dataclass
class LoadedTheme:
    """A Textual theme and the Fountain styles that go with it."""

    theme: Theme
    fountain: dict[str, str] = field(default_factory=dict)  # key -> Rich style string
    source: Path | None = None


@dataclass
class ThemeCatalog:
    """Every theme found, by name, and the problems met while loading them."""

    themes: dict[str, LoadedTheme] = field(default_factory=dict)
    errors: list[ConfigError] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return sorted(self.themes)


def theme_dirs() -> list[Path]:
    """Bundled themes first, then the user's (which override by name)."""
    return [bundled("themes"), config_dir() / "themes"]


def load_catalog(dirs: list[Path] | None = None) -> ThemeCatalog:
    catalog = ThemeCatalog()
    for folder in theme_dirs() if dirs is None else dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                loaded = load_theme_file(path)
            except ConfigError as error:
                catalog.errors.append(error)
                continue
            catalog.themes[loaded.theme.name] = loaded
    return catalog


def load_theme_file(path: Path) -> LoadedTheme:
    """Read one theme file; raises ``ConfigError`` naming file:line: key for the first problem."""
    toml = load_toml(path)
    data = toml.data
    for key in data:
        if key not in _TOP_KEYS:
            raise toml.error((key,), f"unknown key; expected one of: {', '.join(sorted(_TOP_KEYS))}")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        raise toml.error(("name",), "must be a non-empty string")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise toml.error(("dark",), "must be true or false")
    colors: dict[str, str] = {}
    for key in COLOR_KEYS:
        if key in data:
            colors[key] = _color(toml, (key,), data[key])
    if "primary" not in colors:
        raise toml.error(("primary",), "is required (a colour such as \"#61afef\")")
    variables = _table(toml, "variables")
    for key, value in variables.items():
        if not isinstance(value, str):
            raise toml.error(("variables", key), "must be a string")
    fountain: dict[str, str] = {}
    for key, value in _table(toml, "fountain").items():
        if key not in FOUNTAIN_KEYS:
            raise toml.error(("fountain", key), f"unknown Fountain style; expected one of: {', '.join(FOUNTAIN_KEYS)}")
        if not isinstance(value, str):
            raise toml.error(("fountain", key), "must be a style string such as \"bold #e5c07b\"")
        try:
            Style.parse(value)
        except StyleSyntaxError as exc:
            raise toml.error(("fountain", key), f"not a valid style: {exc}") from None
        fountain[key] = value
    theme = Theme(name=name.strip(), dark=dark, variables=dict(variables), **colors)
    return LoadedTheme(theme, fountain, path)


def _table(toml: TomlFile, key: str) -> dict:
    value = toml.data.get(key, {})
    if not isinstance(value, dict):
        raise toml.error((key,), "must be a table")
    return value


def _color(toml: TomlFile, keys: tuple[str, ...], value: object) -> str:
    if not isinstance(value, str):
        raise toml.error(keys, "must be a colour string such as \"#61afef\"")
    try:
        Color.parse(value)
    except ColorParseError as exc:
        raise toml.error(keys, f"not a colour: {exc}") from None
    return value


# ------------------------------------------------------------------ fountain styles
def derived_fountain_styles(theme: Theme) -> dict[str, str]:
    """Fountain styles from a theme's colours: used for keys a theme file leaves out and for
    Textual's built-in themes."""
    system = theme.to_color_system().generate()
    background = Color.parse(system.get("background") or ("#000000" if theme.dark else "#ffffff"))

    def var(name: str, fallback: str = "#888888") -> str:
        value = system.get(name)
        if not value:
            return fallback
        try:
            return (background + Color.parse(value)).hex  # blends colours with alpha
        except ColorParseError:
            return fallback

    fg = var("foreground", "#e0e0e0")
    muted = var("foreground-muted", fg)
    return {
        "title": var("secondary"),
        "scene_heading": f"bold {var('primary')}",
        "action": fg,
        "character": f"bold {var('accent', var('secondary'))}",
        "dialogue": fg,
        "parenthetical": f"italic {var('secondary')}",
        "transition": f"bold {var('warning')}",
        "centered": "bold",
        "lyrics": f"italic {var('success')}",
        "section": f"bold {var('accent', var('primary'))}",
        "synopsis": f"italic {muted}",
        "note": f"italic {var('warning')}",
        "boneyard": f"dim {muted}",
        "page_break": muted,
        "bold": "bold",
        "italic": "italic",
        "bold_italic": "bold italic",
        "underline": "underline",
        "markup": f"dim {muted}",
        "scene_number": f"dim {muted}",
        "extension": "italic",
        "title_key": f"bold {var('primary')}",
        # AI-written text (when the writer shows it): an underline keeps every element's colour
        # and the cursor line and selection backgrounds
        "ai_text": "underline",
        "misspelled": f"underline {var('error')}",  # the spell checker's words (F7 suggests)
        "revised": f"{var('accent', var('primary'))}",  # lines changed in revision mode (asterisks in the PDF)
    }


def fountain_styles(loaded: LoadedTheme | None, theme: Theme) -> dict[str, str]:
    styles = derived_fountain_styles(theme)
    if loaded is not None:
        styles.update(loaded.fountain)
    return styles


def text_area_theme(theme: Theme, styles: dict[str, str]) -> TextAreaTheme:
    """A ``TextAreaTheme`` holding the Fountain highlight styles; everything else (cursor,
    selection, background) comes from the app theme through CSS."""
    syntax = {HIGHLIGHT_PREFIX + key: Style.parse(value) for key, value in styles.items()}
    return TextAreaTheme(name=f"scenewright-{theme.name}", syntax_styles=syntax)
