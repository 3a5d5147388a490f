"""An uploaded SVG icon is checked in the encoding the XML parser will read it in: anything
but UTF-8 is refused, so a DTD, an entity or a script cannot hide in UTF-16 or UTF-32."""

import pytest
from django.core.exceptions import ValidationError

from comptoir.campaigns.icons import checked_icon

DTD_SVG = (
    '<?xml version="1.0" encoding="{encoding}"?>'
    '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    # U+733C U+6776 are the bytes "<svg" in UTF-16LE: the upload looks like an SVG to a bytes
    # search, while its real text is UTF-16.
    '<svg xmlns="http://www.w3.org/2000/svg"><!-- \u733c\u6776 --><title>&x;</title></svg>'
)
# An internal entity: expat expands it, so only the DTD check stands in its way.
ENTITY_SVG = (
    '<?xml version="1.0" encoding="{encoding}"?>'
    '<!DOCTYPE svg [<!ENTITY x "lol">]>'
    '<svg xmlns="http://www.w3.org/2000/svg"><!-- \u733c\u6776 --><title>&x;&x;</title></svg>'
)
SCRIPT_SVG = (
    '<?xml version="1.0" encoding="{encoding}"?>'
    '<svg xmlns="http://www.w3.org/2000/svg"><!-- \u733c\u6776 --><script>alert(1)</script></svg>'
)
LATIN1_DECL = '<?xml version="1.0" encoding="ISO-8859-1"?>'
CP1252_DECL = '<?xml version="1.0" encoding="windows-1252"?>'
PLAIN_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="{size}"/></svg>'


def encoded(text: str, codec: str, *, bom: bytes = b"") -> bytes:
    return bom + text.encode(codec)


@pytest.mark.parametrize(
    "content",
    [
        encoded(DTD_SVG.format(encoding="UTF-16"), "utf-16-le", bom=b"\xff\xfe"),
        encoded(DTD_SVG.format(encoding="UTF-16"), "utf-16-be", bom=b"\xfe\xff"),
        encoded(DTD_SVG.format(encoding="UTF-16LE"), "utf-16-le"),
        encoded(DTD_SVG.format(encoding="UTF-16BE"), "utf-16-be"),
        encoded(ENTITY_SVG.format(encoding="UTF-16"), "utf-16-le", bom=b"\xff\xfe"),
        encoded(ENTITY_SVG.format(encoding="UTF-16"), "utf-16-be", bom=b"\xfe\xff"),
        encoded(ENTITY_SVG.format(encoding="UTF-16LE"), "utf-16-le"),
        encoded(SCRIPT_SVG.format(encoding="UTF-16"), "utf-16-le", bom=b"\xff\xfe"),
        encoded(DTD_SVG.format(encoding="UTF-32"), "utf-32"),
        # An ASCII-compatible label other than UTF-8: refused too, whatever the bytes say.
        encoded(LATIN1_DECL + PLAIN_SVG.format(size=4), "latin-1"),
        encoded(CP1252_DECL + PLAIN_SVG.format(size=4), "utf-8"),
    ],
    ids=["utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "entity-le-bom", "entity-be-bom",
         "entity-le", "utf16-script", "utf32", "latin1-plain", "cp1252-plain"],
)  # fmt: skip
def test_an_svg_not_in_utf8_is_refused_with_its_reason(content: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        checked_icon(content)
    assert "icon" in caught.value.message_dict


def test_a_utf16_svg_is_refused_because_of_its_encoding_not_by_chance() -> None:
    content = encoded(ENTITY_SVG.format(encoding="UTF-16"), "utf-16-le", bom=b"\xff\xfe")
    with pytest.raises(ValidationError) as caught:
        checked_icon(content)
    assert "UTF-8" in caught.value.message_dict["icon"][0]


def test_a_dtd_is_refused_by_the_parser_whatever_the_text_search_sees() -> None:
    """The DTD check reads what expat reads: a doctype written with odd spacing or case
    still fails."""
    for doctype in ("<!DOCTYPE svg>", "<!DOCTYPE\nsvg [ ]>", "<!DOCTYPE svg SYSTEM 'x.dtd'>"):
        content = f'<?xml version="1.0"?>{doctype}<svg xmlns="http://www.w3.org/2000/svg"/>'
        with pytest.raises(ValidationError) as caught:
            checked_icon(content.encode())
        assert "DTD" in caught.value.message_dict["icon"][0]


@pytest.mark.parametrize(
    "content",
    [
        PLAIN_SVG.format(size=4).encode("utf-8"),
        b"\xef\xbb\xbf" + PLAIN_SVG.format(size=5).encode("utf-8"),
        ('<?xml version="1.0" encoding="UTF-8"?>' + PLAIN_SVG.format(size=6)).encode(),
        ("<?xml version='1.0' encoding='utf-8' standalone='yes'?>\n" + PLAIN_SVG).encode(),
        ('<?xml version="1.0"?><!-- é --><svg xmlns="http://www.w3.org/2000/svg">'
         "<title>Café</title></svg>").encode(),
    ],
    ids=["plain", "bom", "declared", "declared-single-quotes", "non-ascii"],
)  # fmt: skip
def test_utf8_svgs_are_still_accepted(content: bytes) -> None:
    icon = checked_icon(content.replace(b"{size}", b"7"))
    assert icon.extension == "svg"
    assert icon.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
