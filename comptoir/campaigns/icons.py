"""A campaign's icon: an uploaded PNG, JPEG or SVG checked by its content, or a built-in one.

PNG and JPEG are recognised by their signature, then opened with Pillow: its own reading of
the format and size must agree, the PNG checksums must hold (verify) and the whole image must
decode (load), so a valid header on a broken body is refused; a file that merely ends in ".png"
is refused too. What is stored is the uploaded file as it is, once it decoded. An SVG is parsed
and rebuilt from a whitelist of drawing elements and attributes: anything else (scripts,
event handlers, <foreignObject>, links outside the file, DTDs) refuses the upload with its
reason, so what is stored is exactly what was checked (only UTF-8 is read, so the checks see
the text the parser reads). It is served with a CSP that forbids
everything but inline styles (ui.campaigns.campaign_icon).
"""

import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from io import BytesIO
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from PIL import Image

from comptoir.campaigns.actions.campaign import check_manages
from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import User

MAX_ICON_BYTES = 512 * 1024
MAX_ICON_SIDE = 1024
# Pillow warns past MAX_IMAGE_PIXELS and refuses past twice that; nothing larger than an icon
# is ever opened in this process, and the warning is turned into an error below.
Image.MAX_IMAGE_PIXELS = MAX_ICON_SIDE * MAX_ICON_SIDE
PILLOW_FORMATS = {"PNG": "png", "JPEG": "jpg", "MPO": "jpg"}  # MPO: a JPEG with extra frames
BUILTIN_ICONS = ("headset", "envelope", "cart", "truck", "star", "chat")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = frozenset(
    {
        "svg", "g", "path", "circle", "ellipse", "rect", "line", "polyline", "polygon",
        "title", "desc", "defs", "linearGradient", "radialGradient", "stop", "text", "tspan",
        "clipPath", "use", "symbol",
    }
)  # fmt: skip
SVG_ATTRIBUTES = frozenset(
    {
        "id", "class", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx",
        "cy", "r", "rx", "ry", "d", "points", "fill", "fill-opacity", "fill-rule", "stroke",
        "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-opacity",
        "stroke-dasharray", "opacity", "transform", "offset", "stop-color", "stop-opacity",
        "gradientUnits", "gradientTransform", "clip-path", "clip-rule", "font-family",
        "font-size", "font-weight", "text-anchor", "preserveAspectRatio", "version", "href",
        "xlink:href", "role", "aria-hidden", "aria-label", "focusable",
    }
)  # fmt: skip


@dataclass
class Icon:
    content: bytes
    extension: str  # "png", "jpg" or "svg"


def checked_icon(content: bytes) -> Icon:
    """The icon to store, or ValidationError({"icon": why}) for the upload field."""
    if len(content) > MAX_ICON_BYTES:
        raise icon_error(_("The icon is larger than 512 KB."))
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        damaged = _("The PNG image is damaged.")
        extension = "png"
    elif content.startswith(b"\xff\xd8\xff"):
        damaged = _("The JPEG image is damaged.")
        extension = "jpg"
    elif b"<svg" in content[:4096]:
        return Icon(clean_svg(content), "svg")
    else:
        raise icon_error(_("The file is not a PNG, JPEG or SVG image."))
    check_bitmap(content, extension, damaged)
    return Icon(content, extension)


def icon_error(message: str) -> ValidationError:
    return ValidationError({"icon": message})


def check_bitmap(content: bytes, extension: str, damaged: str) -> None:
    """Refuse a PNG or JPEG that Pillow reads as another format, too large, or broken."""
    too_large = _("The icon must be at most 1024 × 1024 pixels.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(content), formats=list(PILLOW_FORMATS)) as image:
                if PILLOW_FORMATS.get(image.format or "") != extension:
                    raise icon_error(_("The file is not a PNG, JPEG or SVG image."))
                width, height = image.size
                if not (0 < width <= MAX_ICON_SIDE and 0 < height <= MAX_ICON_SIDE):
                    raise icon_error(too_large)
                image.verify()  # the PNG chunks' checksums; JPEG has none
            # verify() leaves the image unusable: open it again and decode every pixel.
            with Image.open(BytesIO(content), formats=list(PILLOW_FORMATS)) as image:
                if image.size != (width, height):
                    raise icon_error(damaged)
                image.load()
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise icon_error(too_large) from None
        except Exception:
            # Pillow reports a broken file with UnidentifiedImageError, OSError (truncated),
            # SyntaxError (a bad PNG checksum), and a malformed one may trip its decoders in
            # other ways (struct.error, IndexError...): all of them mean a damaged image.
            raise icon_error(damaged) from None


UTF8_BOM = b"\xef\xbb\xbf"
# The encoding named by an XML declaration (the declaration is ASCII in any ASCII-compatible
# encoding; UTF-16 and UTF-32 are refused before this is read).
XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def check_svg_encoding(content: bytes) -> None:
    """Only UTF-8 (with or without a BOM): what is checked below is then exactly the text the
    XML parser reads. A UTF-16 or UTF-32 file (a BOM, NUL bytes) or a declared encoding other
    than UTF-8 is refused rather than decoded, so no check runs on text the parser reads
    otherwise (a DTD hidden in UTF-16 was invisible to a search of the UTF-8 reading)."""
    refused = _("The SVG file must be encoded in UTF-8.")
    body = content.removeprefix(UTF8_BOM)
    if b"\x00" in body or body.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise icon_error(refused)
    declared = XML_ENCODING.match(body)
    if declared is not None and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise icon_error(refused)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise icon_error(refused) from None


def check_no_dtd(content: bytes) -> None:
    """No DTD: entities are how XML files read local files or explode in memory. Asked of
    expat itself (the parser ElementTree uses), not of a text search, so no spelling of a
    doctype or an entity declaration gets past it."""

    def refuse(*_args: object) -> None:
        raise icon_error(_("SVG files with a DTD are not accepted."))

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(content, True)
    except expat.ExpatError:
        raise icon_error(_("The SVG file is not valid XML.")) from None


def clean_svg(content: bytes) -> bytes:
    check_svg_encoding(content)
    check_no_dtd(content)
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        raise icon_error(_("The SVG file is not valid XML.")) from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise icon_error(_("The file is not an SVG image."))
    for element in root.iter():
        check_svg_element(element)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def check_svg_element(element: ET.Element) -> None:
    namespace, _sep, name = element.tag.rpartition("}")
    if namespace.lstrip("{") != SVG_NS or name not in SVG_ELEMENTS:
        raise icon_error(
            _("The SVG file contains a forbidden element: <%(name)s>.") % {"name": name}
        )
    for key, value in element.attrib.items():
        attribute = key.replace(f"{{{XLINK_NS}}}", "xlink:")
        if attribute not in SVG_ATTRIBUTES:
            raise icon_error(
                _("The SVG file contains a forbidden attribute: %(name)s.") % {"name": attribute}
            )
        if attribute.endswith("href") and not value.startswith("#"):
            raise icon_error(_("The SVG file refers to something outside itself."))
        if refers_outside(value):
            raise icon_error(_("The SVG file refers to something outside itself."))


def refers_outside(value: str) -> bool:
    """Whether an attribute's value (read as CSS by the browser) may load anything. CSS
    function names are case-insensitive and may be written with escapes, and a value may
    hold several url(): so no escape at all, and every url( of the lowered value, spaces
    removed, must point inside the file (#id)."""
    if "\\" in value:
        return True
    compact = "".join(value.lower().split())
    return any(not after.startswith("#") for after in compact.split("url(")[1:])


def set_uploaded_icon(campaign: Campaign, content: bytes, *, by: User) -> None:
    """Check and store an uploaded icon in place of the current one (built-in or uploaded)."""
    check_manages(by, campaign.domain_id)
    icon = checked_icon(content)
    old = campaign.icon.name if campaign.icon else ""
    name = f"{campaign.domain_id}-{campaign.slug}-{get_random_string(8)}.{icon.extension}"
    with transaction.atomic():
        campaign.icon.save(name, ContentFile(icon.content), save=False)
        campaign.builtin_icon = ""
        campaign.save(update_fields=["icon", "builtin_icon"])
    if old:
        campaign.icon.storage.delete(old)


def set_builtin_icon(campaign: Campaign, name: str, *, by: User) -> None:
    """Use one of the shipped icons; an empty name means no icon (the initial badge)."""
    check_manages(by, campaign.domain_id)
    if name and name not in BUILTIN_ICONS:
        raise ValidationError({"builtin_icon": _("Choose one of the icons shown.")})
    old = campaign.icon.name if campaign.icon else ""
    campaign.icon = ""  # type: ignore[assignment]
    campaign.builtin_icon = name
    campaign.save(update_fields=["icon", "builtin_icon"])
    if old:
        campaign.icon.storage.delete(old)
