"""Bytes -> str for the charsets real mail declares, including the wrong and the unknown ones."""

import codecs
import functools
import re

from comptoir.mail.parse_detect import MIN_SCORE, decode_short, detect_short, score

# Labels whose mislabelling is common: senders declare them while writing UTF-8 (or cp1252).
# "" is a missing charset, which means us-ascii (RFC 2045 5.2).
WESTERN_LABELS = frozenset(
    {"", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "iso-8859-15"}
)

# Browsers (WHATWG Encoding) decode these labels with a superset; mail clients send the superset's
# characters under the narrower label all the time (Outlook's curly quotes in "iso-8859-1").
SUPERSETS = {
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "iso-2022-jp": "iso2022_jp_ext",
    "big5": "big5hkscs",
    "iso-8859-8-i": "iso-8859-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unicode20utf8": "utf-8",
    "utf8": "utf-8",
}
UNKNOWN_LABELS = frozenset({"unknown", "unknown-8bit", "x-unknown", "default", "charset"})
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w:.]+)""", re.IGNORECASE)


def clean_label(charset: str | None) -> str:
    """'"ISO-8859-1" ' -> 'iso-8859-1'; language suffixes (RFC 2231 'utf-8*en') removed."""
    if not charset:
        return ""
    return charset.strip().strip("\"'").strip().split("*", 1)[0].lower()


@functools.cache
def codec_for(label: str) -> str | None:
    """The Python codec to use for a cleaned label, or None when Python knows no text codec.

    Only text encodings qualify: a hostile label ("zlib", "base64") must not reach bytes.decode.
    """
    name = SUPERSETS.get(label, label)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(
    data: bytes, charset: str | None, defects: list[str], *, where: str = "", short: bool = False
) -> str:
    """Decode `data` declared as `charset`; never raises. Workarounds are recorded in `defects`.

    `short` marks a header value or a filename: a wrong or missing label is then corrected by
    detection (parse_detect.py), which short values allow and bodies would make slow."""
    if data.isascii():
        # Every charset real mail uses is an ASCII superset except UTF-7/16/32 and ISO-2022.
        label = clean_label(charset)
        if not label.startswith(("utf-7", "utf-16", "utf-32", "iso-2022", "unicode-1-1-utf-7")):
            return data.decode("ascii")
    label = clean_label(charset)
    suffix = f" in {where}" if where else ""
    if label in WESTERN_LABELS or label in UNKNOWN_LABELS:
        text = try_decode(data, "utf-8")
        if text is not None:
            if label:
                defects.append(f"charset {label} is actually utf-8{suffix}")
            return text
        if short:
            return detected(data, label, defects, where=suffix)
        if label in WESTERN_LABELS:
            if not label:
                defects.append(f"8-bit text without charset read as cp1252{suffix}")
            return data.decode(codec_for(label) or "cp1252", errors="replace")
    codec = codec_for(label) if label not in UNKNOWN_LABELS else None
    if codec is not None:
        text = try_decode(data, codec)
        if text is not None and not (short and implausible(text, codec, data)):
            return text
        defects.append(f"text does not decode as its charset {label}{suffix}")
    elif label:
        defects.append(f"unknown charset {label!r}{suffix}")
    if short:
        return detected(data, label, defects, where=suffix)
    return guess_decode(data, defects, where=suffix)


def detected(data: bytes, label: str, defects: list[str], *, where: str) -> str:
    text = try_decode(data, "utf-8")
    if text is not None:
        defects.append(f"charset {label or 'missing'} is actually utf-8{where}")
        return text
    best = detect_short(data)
    codec = best[0] if best else "cp1252"
    if codec != SUPERSETS.get(label, label):
        defects.append(f"charset {label or 'missing'} detected as {codec}{where}")
    return data.decode(codec, errors="replace")


def implausible(text: str, codec: str, data: bytes) -> bool:
    """A short value that decodes in its declared double-byte charset into rare characters,
    while another charset reads it as common ones: the label is wrong (Big5 sent as GB2312)."""
    if codec not in ("gb18030", "big5hkscs", "cp932", "cp949"):
        return False
    if score(text, codec) >= MIN_SCORE:
        return False
    if try_decode(data, "utf-8") is not None:
        return True  # UTF-8 under a double-byte label is the commonest mislabel of all
    best = detect_short(data)
    return best is not None and best[0] != codec


def try_decode(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError, ValueError):
        return None


def guess_decode(data: bytes, defects: list[str], *, where: str = "") -> str:
    """Last resort: utf-8, then charset-normalizer (slow, hence last), then lossy cp1252."""
    text = try_decode(data, "utf-8")
    if text is not None:
        return text
    guessed = normalizer_guess(data)
    if guessed is not None:
        defects.append(f"charset guessed as {guessed[0]}{where}")
        return guessed[1]
    defects.append(f"undecodable bytes replaced{where}")
    return data.decode("cp1252", errors="replace")


def normalizer_guess(data: bytes) -> tuple[str, str] | None:
    # Imported here: charset-normalizer costs import time and most messages never need it.
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(data[:200_000]).best()
    except Exception:  # a guessing library must never make parsing fail
        return None
    if best is None:
        return None
    text = try_decode(data, best.encoding)
    return (best.encoding, text) if text is not None else None


def decode_8bit(value: str) -> str:
    """Header text with raw 8-bit bytes (surrogate-escaped by the parser): utf-8, else the charset
    detected on the value (parse_detect.py: GB2312/GBK, Big5, Shift_JIS, EUC-KR or cp1252)."""
    if value.isascii():
        return value
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value
    text = try_decode(raw, "utf-8")
    return text if text is not None else decode_short(raw)


def sniff_html_charset(data: bytes) -> str | None:
    """The charset an HTML part declares in a <meta> tag, when its MIME header declares none."""
    match = META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", errors="replace") if match else None
