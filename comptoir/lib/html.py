"""HTML from mail: a readable plain-text rendering, and a sanitised copy safe to display."""

import re
from html import unescape
from html.parser import HTMLParser

import nh3

from comptoir.lib.html_depth import limit_nesting

SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "object"})
BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "dt", "dd", "table", "tr",
        "blockquote", "pre", "hr", "address", "figure", "center", "fieldset",
    }
)  # fmt: skip
# Blocks a browser separates with vertical space; other blocks only start a new line.
PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre", "ul", "ol"}
)
SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")
# One tag, for the fallback only; "[^<>]" stops at the next '<', so "<a<a<a..." stays linear.
ANY_TAG = re.compile(r"<[^<>]*>")
BLANK_LINES = re.compile(r"\n{3,}")


class TextRenderer(HTMLParser):
    """Collects text with line breaks where a browser would break lines; quotes get '> '."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0
        self.quote_depth = 0
        self.href = ""
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skip_depth += 1
        elif tag == "br":
            self.break_line(force=True)
        elif tag in BLOCKS or tag == "li":
            self.break_line(blank=tag in PARAGRAPHS)
            self.pre_depth += tag == "pre"
            self.quote_depth += tag == "blockquote"
            if tag == "li":
                self.current.append("- ")
        elif tag in ("td", "th") and self.current:
            self.current.append("  ")
        elif tag == "a":
            self.href = dict(attrs).get("href") or ""
            self.link_text = []
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.handle_data(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SKIPPED:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in BLOCKS or tag == "li":
            self.break_line(blank=tag in PARAGRAPHS)
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
        elif tag == "a" and self.href:
            self.add_link_target()

    def add_link_target(self) -> None:
        # Keep the address when the words alone would hide it: "our terms (https://...)".
        text = "".join(self.link_text).strip()
        href = self.href
        self.href = ""
        if href.startswith(("http://", "https://")) and href not in text and text:
            self.current.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if not self.pre_depth:
            data = SPACES.sub(" ", data)
            if not self.current or self.current[-1].endswith((" ", "\n")):
                data = data.lstrip(" ")
        if self.href:
            self.link_text.append(data)
        self.current.append(data)

    def break_line(self, *, force: bool = False, blank: bool = False) -> None:
        line = "".join(self.current).rstrip(" ") if not self.pre_depth else "".join(self.current)
        self.current = []
        if line or force:
            prefix = "> " * self.quote_depth
            self.lines.extend(prefix + part for part in line.split("\n"))
        if blank and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def text(self) -> str:
        self.break_line()
        return BLANK_LINES.sub("\n\n", "\n".join(self.lines)).strip("\n")


def html_to_text(html: str) -> str:
    """A plain-text rendering of an HTML body; never raises."""
    renderer = TextRenderer()
    try:
        # Bounded first: 100,000 nested <blockquote> would otherwise prefix each line with
        # 100,000 "> " (output, and time, quadratic in the depth).
        renderer.feed(limit_nesting(html))
        renderer.close()
    except Exception:  # html.parser is lenient, but a renderer bug must not lose the message
        return markup_as_text(html)
    return renderer.text()


def markup_as_text(html: str) -> str:
    """The words of some HTML without its tags, on one line: the fallback when the renderer
    fails. Still text, never markup: it ends up in the plain-text body, replies and search."""
    without_tags = ANY_TAG.sub(" ", html)
    return SPACES.sub(" ", unescape(without_tags)).strip()


ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "col", "colgroup",
        "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
        "i", "img", "ins", "li", "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong",
        "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"title", "dir", "lang", "align", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "font": {"color", "face", "size"},
    "table": {"width", "border", "cellpadding", "cellspacing", "bgcolor"},
    "td": {"width", "colspan", "rowspan", "valign", "bgcolor"},
    "th": {"width", "colspan", "rowspan", "valign", "bgcolor"},
    "col": {"width", "span"},
    "ol": {"start", "type"},
}
# Text formatting only: no property that can load a URL (background, list-style-image...).
SAFE_STYLES = frozenset(
    {
        "color", "background-color", "font-weight", "font-style", "font-size", "font-family",
        "text-align", "text-decoration", "vertical-align", "white-space", "border",
        "border-collapse", "padding", "margin", "width", "height",
    }
)  # fmt: skip


def keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Images load only from cid:, data:image/ or https; links never to data: or cid:."""
    if name == "src" and tag == "img":
        lowered = value.strip().lower()
        return value if lowered.startswith(("cid:", "data:image/", "https://")) else None
    if name == "href":
        lowered = value.strip().lower()
        return None if lowered.startswith(("data:", "cid:")) else value
    return value


def sanitize_html(html: str) -> str:
    """Safe-to-display HTML: formatting, tables, images and links kept; scripts, styles,
    event handlers and forms dropped; links open with rel="noopener noreferrer".

    Nesting is bounded first (lib/html_depth.py): nh3's time grows with the square of the
    depth. Called once, at ingest; pages show the stored result (`comptoir resanitize` redoes
    it after a policy change)."""
    return nh3.clean(
        limit_nesting(html),
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "title", "head", "template", "noscript"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=keep_attribute,
        url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
        filter_style_properties=set(SAFE_STYLES),
        link_rel="noopener noreferrer",
    )
