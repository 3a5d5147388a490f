"""Hostile HTML: sanitising it and rendering it as text take time linear in its size.

Each check times an input of size N and one of size 4N (tests/security/timing.py); inputs are
generated. N is chosen so that the small input takes a few tens of milliseconds.
"""

from collections.abc import Callable

import pytest

from comptoir.lib.html import TextRenderer, html_to_text, markup_as_text, sanitize_html
from comptoir.lib.html_depth import MAX_ATTRIBUTES, MAX_HTML_DEPTH, limit_nesting
from tests.security.timing import assert_linear


def nested(n: int) -> str:
    return "<div>" * n + "bottom" + "</div>" * n


def nested_mixed(n: int) -> str:
    # Formatting elements and blocks mixed: the tree builder's "reconstruct the active
    # formatting elements" step is what grows with depth.
    return "<b><div><i><blockquote>" * (n // 4) + "bottom"


def wide(n: int) -> str:
    return '<p title="t" style="color:red" align="left">word</p>' * n


def filler(n: int) -> str:
    """Ordinary content that grows with n, so that shapes the rewrite makes cheap (one long
    element, one unterminated comment) still take measurable time."""
    return "<p>word <b>bold</b></p>" * n


def many_attributes(n: int) -> str:
    return "<span " + " ".join(f'data-a{i}="v{i}"' for i in range(n)) + ">x</span>" + filler(n)


def unclosed(n: int) -> str:
    return "<p>para <b>bold <a href='https://x.example/'>link " * n


def unterminated_tags(n: int) -> str:
    return "<p>text</p><a href='x' title=\"y" * n


def huge_comment(n: int) -> str:
    return filler(n) + "<!-- " + "comment -- <b>text</b> " * n + " --><p>after</p>"


def many_comments(n: int) -> str:
    return "<p>a<!-- note --><b>b</b><!--x-->c</p>" * n


def unclosed_comment(n: int) -> str:
    return filler(n) + "<!-- open " * n


HTML_SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    "deep nesting": (nested, 8_000),
    "deep mixed nesting": (nested_mixed, 16_000),
    "many siblings": (wide, 1_000),
    "many attributes": (many_attributes, 1_500),
    "unclosed tags": (unclosed, 3_000),
    "unterminated tags": (unterminated_tags, 5_000),
    "huge comment": (huge_comment, 1_500),
    "many comments": (many_comments, 1_000),
    "unclosed comments": (unclosed_comment, 1_500),
}


@pytest.mark.parametrize("shape", sorted(HTML_SHAPES))
def test_sanitising_hostile_html_is_linear(shape: str) -> None:
    make, n = HTML_SHAPES[shape]
    assert_linear(sanitize_html, make, n)


@pytest.mark.parametrize("shape", sorted(HTML_SHAPES))
def test_rendering_hostile_html_as_text_is_linear(shape: str) -> None:
    make, n = HTML_SHAPES[shape]
    assert_linear(html_to_text, make, n)


def test_html_deeper_than_the_limit_keeps_its_text_and_loses_only_the_extra_levels() -> None:
    html = nested(MAX_HTML_DEPTH * 3)
    limited = limit_nesting(html)
    assert limited.count("<div>") == MAX_HTML_DEPTH
    assert limited.count("</div>") == MAX_HTML_DEPTH
    assert "bottom" in sanitize_html(html)
    assert html_to_text(html) == "bottom"


def test_nested_quotes_render_with_a_bounded_prefix() -> None:
    text = html_to_text("<blockquote>" * 10_000 + "old words")
    assert text == "> " * MAX_HTML_DEPTH + "old words"


def test_html_within_the_limits_reads_the_same_after_the_rewrite() -> None:
    html = nested(MAX_HTML_DEPTH) + "<p title='a&amp;b' class=x>caf&eacute; &amp; <!-- n --> t</p>"
    assert limit_nesting(html) == (
        "<div>" * MAX_HTML_DEPTH + "bottom" + "</div>" * MAX_HTML_DEPTH
        + '<p title="a&amp;b" class="x">café &amp;  t</p>'
    )  # fmt: skip


def test_an_element_keeps_a_bounded_number_of_attributes() -> None:
    limited = limit_nesting(many_attributes(1_000))
    assert limited.count("=") == MAX_ATTRIBUTES


def test_when_the_text_renderer_fails_the_fallback_is_still_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A renderer bug is simulated: no real markup is known to make html.parser raise.
    def broken(*args: object) -> None:
        raise ValueError("renderer bug")

    monkeypatch.setattr(TextRenderer, "handle_starttag", broken)
    text = html_to_text('<p class="x">Bonjour <b>Claire</b> &amp; merci</p><br/>a &lt; b')
    assert text == "Bonjour Claire & merci a < b"


def test_the_fallback_is_linear_on_unterminated_tags() -> None:
    assert_linear(markup_as_text, lambda n: "<a" * n, 50_000)
