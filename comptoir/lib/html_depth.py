"""Make untrusted HTML cheap to parse before the sanitiser or the text renderer sees it.

Measured on this project's stack, the parsers downstream are not linear on hostile markup:
nh3 (html5ever) takes time quadratic in the nesting depth (100,000 nested <div>: 35 s) and in
the attributes of one element; Python 3.13.0's html.parser is quadratic on unterminated tags,
comments and CDATA. So one linear pass (str.find, no backtracking) rewrites the markup first:
- elements nested deeper than MAX_HTML_DEPTH are dropped, their text kept;
- an element keeps at most MAX_ATTRIBUTES attributes;
- comments, declarations and processing instructions are dropped (nothing shows them), and an
  unterminated one ends the document, as HTML5 says;
- every attribute is re-written double-quoted and escaped, and text is escaped, so what
  follows parses without ever looking far ahead.
The output is not trusted either: it only goes on to the sanitiser or the text renderer.
"""

import re
from html import escape, unescape

MAX_HTML_DEPTH = 100
MAX_ATTRIBUTES = 50
# Elements that never hold content, so never deepen the tree.
VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    }
)  # fmt: skip
TAG_NAME = re.compile(r"(/?)([A-Za-z][^\s/>]*)")
# Inside one tag's text only (bounded by the next '>'): a name, then maybe a value.
ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


class Rewriter:
    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.out: list[str] = []
        self.open: list[str] = []  # kept elements still open, never more than max_depth
        self.dropped = 0  # elements opened beyond the limit and not yet closed

    def text(self, data: str) -> None:
        if data:
            self.out.append(escape(unescape(data), quote=False))

    def tag(self, body: str) -> None:
        """`body` is what stands between '<' and '>'; it starts with a name or '/'+name."""
        name_match = TAG_NAME.match(body)
        if name_match is None:
            self.text("<" + body + ">")
            return
        closing, name = name_match.group(1), name_match.group(2).lower()
        if closing:
            self.end(name)
        else:
            self.start(name, body[name_match.end() :])

    def start(self, name: str, rest: str) -> None:
        if name not in VOID and not rest.rstrip().endswith("/"):
            if len(self.open) >= self.max_depth:
                self.dropped += 1
                return
            self.open.append(name)
        self.out.append(f"<{name}{attributes(rest)}>")

    def end(self, name: str) -> None:
        if self.dropped:
            self.dropped -= 1
            return
        if name not in self.open:  # at most max_depth steps: linear overall
            return  # a stray end tag: the sanitiser would drop it anyway
        while self.open:
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == name:
                return


def attributes(rest: str) -> str:
    kept: list[str] = []
    for match in ATTRIBUTE.finditer(rest):
        if len(kept) == MAX_ATTRIBUTES:
            break
        name, double, single, bare = match.groups()
        value = next((v for v in (double, single, bare) if v is not None), None)
        if value is None:
            kept.append(f" {name.lower()}")
        else:
            kept.append(f' {name.lower()}="{escape(unescape(value), quote=True)}"')
    return "".join(kept)


def limit_nesting(html: str, *, max_depth: int = MAX_HTML_DEPTH) -> str:
    """The markup re-written as described above, in time linear in its length."""
    writer = Rewriter(max_depth)
    pos, length = 0, len(html)
    while pos < length:
        lt = html.find("<", pos)
        if lt < 0:
            writer.text(html[pos:])
            break
        writer.text(html[pos:lt])
        pos = skip_markup(html, lt, writer)
    return "".join(writer.out)


def skip_markup(html: str, lt: int, writer: Rewriter) -> int:
    """Handle the markup starting at `lt`; where the text resumes (len(html) at the end)."""
    following = html[lt + 1 : lt + 2]
    if html.startswith("<!--", lt):
        end = html.find("-->", lt + 4)
        return len(html) if end < 0 else end + 3
    if following in ("!", "?"):
        end = html.find(">", lt)
        return len(html) if end < 0 else end + 1
    if not (following.isascii() and following.isalpha()) and following != "/":
        writer.text("<")  # "a < b": a lone '<' is text
        return lt + 1
    end = html.find(">", lt)
    if end < 0:
        return len(html)  # a tag cut off by the end of the document shows nothing (HTML5)
    writer.tag(html[lt + 1 : end])
    return end + 1
