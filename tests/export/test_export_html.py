"""HTML export: one self-contained page, every piece of text escaped."""

from __future__ import annotations

import re

from engine.export import to_html
from engine.fountain import parse


def test_html_is_self_contained_and_escaped(small):
    page = to_html(parse(small))
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert not re.search(r"<(script|link|img)\b", page)
    assert "&lt;visitors&gt; &amp; tea" in page and "<visitors>" not in page
    assert "<b>Lighthouse</b>" in page  # emphasis as tags
    assert 'class="dual"' in page and 'class="num-left">1<' in page
    assert "check her age" not in page and "old version" not in page


def test_hostile_text_is_escaped():
    page = to_html(parse('Title: </title><script>alert(1)</script>\n\nINT. A "B" - DAY\n\n<img src=x onerror=alert(1)>\n'))
    assert "<script>" not in page and "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&quot;B&quot;" in page
