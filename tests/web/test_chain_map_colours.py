"""The chain map's node colours are readable: the text on every node's fill, for every kind of firm
in every state, has a WCAG 2 contrast ratio of at least 4.5 (issue 13, item 9: the firm's own node
and a stopped firm's node were white text on a pale fill)."""
import itertools
import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "matchmaker" / "static" / "css" / "app.css"
RULE = re.compile(r"\.chainmap \.node((?:\.[a-z-]+)*) (rect|text)\s*\{([^}]*)\}")


def _rules():
    """(classes, element, fill) of the CSS rules that colour a node, in source order."""
    out = []
    for classes, element, body in RULE.findall(CSS.read_text()):
        fill = re.search(r"(?<![-\w])fill:\s*(#[0-9a-fA-F]{3,6})", body)
        if fill:
            out.append((set(filter(None, classes.split("."))), element, fill.group(1)))
    return out


def _colour(classes, element, rules):
    """The fill the cascade gives `element` of a node with `classes` (the selectors differ only in
    their number of classes: the most specific wins, then the later)."""
    best = None
    for order, (needs, el, fill) in enumerate(rules):
        if el == element and needs <= classes:
            rank = (len(needs), order)
            if best is None or rank > best[0]:
                best = (rank, fill)
    assert best is not None, (classes, element)
    return best[1]


def _luminance(hex_colour):
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = []
    for i in (0, 2, 4):
        c = int(h[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    """The WCAG 2 contrast ratio of two colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_contrast_formula():
    assert round(contrast("#ffffff", "#000000"), 1) == 21.0
    assert round(contrast("#ffffff", "#fde8e8"), 2) < 1.3  # the old stopped leading firm: unreadable


@pytest.mark.parametrize("kind,state,cascade", itertools.product(("sme", "leading"), ("ok", "down", "strained"),
                                                                 (False, True)))
def test_every_node_is_readable(kind, state, cascade):
    rules = _rules()
    classes = {kind, state} | ({"cascade"} if cascade else set())
    text, fill = _colour(classes, "text", rules), _colour(classes, "rect", rules)
    assert contrast(text, fill) >= 4.5, (classes, text, fill, contrast(text, fill))
