"""Signatures in rich text: a small, sanitised subset of HTML with `{{ variable }}` placeholders.

A campaign's `signature` and a shared `Signature.text` hold either plain text (every signature
written before signatures became rich text, kept as it was) or HTML, told apart by content:
text holding an HTML tag is HTML (`is_html`). No data migration is needed, nothing is lost.

- Saved HTML is sanitised with nh3 (`clean_signature`): only basic formatting, links to
  http, https and mailto addresses, images from https; no style, class, script or event
  attribute. Plain text is stored as typed.
- Sending (`render_signature`): the HTML part gets the sanitised HTML with the variables'
  values HTML-escaped (and is sanitised once more, whatever the database holds); the text part
  gets a plain-text rendering (links as "text <url>"). A plain-text signature keeps its text
  exactly, and is escaped, line breaks kept, for the HTML part.
"""

import html
import re
from dataclasses import dataclass

import nh3

from comptoir.campaigns.templating import render
from comptoir.lib.html import TextRenderer

ALLOWED_TAGS = frozenset({"a", "b", "br", "div", "em", "i", "img", "p", "small", "strong", "u"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}
# Dropped with their content; other tags not allowed are dropped but their text is kept.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "title", "head", "template", "noscript"})
LINK_SCHEMES = ("http://", "https://", "mailto:")
# Any common HTML element, opening or closing: "<jean@acme.fr>" or "<Jean Dupont>" are text.
HTML_TAG = re.compile(
    r"</?(?:a|abbr|address|b|big|blockquote|body|br|center|code|del|div|em|font|h[1-6]|head|"
    r"hr|html|i|iframe|img|ins|li|meta|object|ol|p|pre|s|script|small|span|strike|strong|style|"
    r"sub|sup|svg|table|tbody|td|th|thead|tr|u|ul)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


@dataclass
class RenderedSignature:
    text: str  # for the text/plain part, under "-- "
    html: str  # sanitised, for the text/html part


def is_html(signature: str) -> bool:
    return bool(HTML_TAG.search(signature))


def keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Links only to http, https and mailto addresses (a relative one could become anything
    once a variable is put in it); images only from https."""
    lowered = value.strip().lower()
    if name == "href":
        return value if lowered.startswith(LINK_SCHEMES) else None
    if name == "src":
        return value if lowered.startswith("https://") else None
    return value


def sanitize_signature(signature_html: str) -> str:
    return nh3.clean(
        signature_html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=keep_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()


def clean_signature(signature: str) -> str:
    """What is stored: HTML sanitised, plain text as typed. HTML whose tags were all removed
    is kept in a <div>, so that it is still read as HTML (its entities stay entities)."""
    if not is_html(signature):
        return signature
    cleaned = sanitize_signature(signature)
    if cleaned and not is_html(cleaned):
        cleaned = f"<div>{cleaned}</div>"
    return cleaned


def text_as_html(text: str) -> str:
    """A plain-text signature for the HTML part: escaped, each line break a <br>."""
    return "<br>\n".join(html.escape(line) for line in text.strip().splitlines())


class SignatureTextRenderer(TextRenderer):
    """The text part of a rich signature: links written "text <url>", as mail clients do."""

    def add_link_target(self) -> None:
        text, href = "".join(self.link_text).strip(), self.href.strip()
        self.href = ""
        shown = href[len("mailto:") :] if href.lower().startswith("mailto:") else href
        if shown and shown not in text:
            self.current.append(f" <{shown}>" if text else shown)


def html_as_text(signature_html: str) -> str:
    renderer = SignatureTextRenderer()
    renderer.feed(signature_html)
    renderer.close()
    return renderer.text()


def render_signature(signature: str, values: dict[str, str]) -> RenderedSignature:
    """The signature with the variables' values, for both parts of a message."""
    if not signature.strip():
        return RenderedSignature("", "")
    if not is_html(signature):
        text = render(signature, values)
        return RenderedSignature(text, text_as_html(text))
    escaped = {name: html.escape(value) for name, value in values.items()}
    rendered = sanitize_signature(render(sanitize_signature(signature), escaped))
    return RenderedSignature(html_as_text(rendered), rendered)
