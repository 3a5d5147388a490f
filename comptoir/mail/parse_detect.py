"""The charset of a short 8-bit value (a header, a filename) that declares none, or a wrong one.

charset-normalizer needs more text than a subject holds (it reads a GB2312 name as Big5), so
short values are judged here: each candidate must decode strictly, and is scored by the share
of its non-ASCII characters that fall in the *common* plane of that charset (GB2312 level 1,
Big5's frequent characters, kana and JIS level 1, KS X 1001 Hangul, isolated accented letters
for cp1252). Bytes of one charset read as another land in rare characters or fail outright.
Only a bounded slice is judged, so the cost is linear whatever the value's length.
"""

import functools
import re

from comptoir.mail.parse_frequent import CHINESE, KOREAN

# Bytes judged; the whole value is then decoded with the winner.
DETECT_SLICE = 2048
# Below this share of common characters, no candidate is believed.
MIN_SCORE = 0.5
# Distinct characters remembered per test: each costs an encode() otherwise.
CHAR_CACHE = 32768
CJK_CODECS = ("gb18030", "big5hkscs", "cp932", "cp949")
NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
WESTERN_PUNCTUATION = frozenset("‘’‚“”„–—…«»°€£©®™•¿¡")


def encoded(char: str, codec: str) -> bytes:
    try:
        return char.encode(codec)
    except UnicodeEncodeError:
        return b""


@functools.lru_cache(maxsize=CHAR_CACHE)
def common_gb(char: str) -> bool:
    code = encoded(char, "gb2312")
    # Rows A1-A3: punctuation and full-width forms; B0-D7: the 3,755 level-1 hanzi.
    return len(code) == 2 and (0xA1 <= code[0] <= 0xA3 or 0xB0 <= code[0] <= 0xD7)


@functools.lru_cache(maxsize=CHAR_CACHE)
def common_big5(char: str) -> bool:
    code = encoded(char, "big5")
    if len(code) != 2:
        return False
    value = code[0] << 8 | code[1]
    # A140-A3BF: symbols; A440-C67E: the 5,401 frequently used characters.
    return 0xA140 <= value <= 0xA3BF or 0xA440 <= value <= 0xC67E


@functools.lru_cache(maxsize=CHAR_CACHE)
def common_japanese(char: str) -> bool:
    if "\u3040" <= char <= "\u30ff":  # hiragana and katakana (not the half-width forms)
        return True
    code = encoded(char, "cp932")
    # 81-84: punctuation and symbols; 88-98: the level-1 kanji.
    return len(code) == 2 and (0x81 <= code[0] <= 0x84 or 0x88 <= code[0] <= 0x98)


@functools.lru_cache(maxsize=CHAR_CACHE)
def common_korean(char: str) -> bool:
    code = encoded(char, "euc_kr")
    if len(code) != 2:
        return False
    # A1-A3: symbols; B0-C8: the 2,350 Hangul syllables of KS X 1001 (no hanja).
    return 0xA1 <= code[0] <= 0xA3 or 0xB0 <= code[0] <= 0xC8


COMMON = {
    "gb18030": common_gb,
    "big5hkscs": common_big5,
    "cp932": common_japanese,
    "cp949": common_korean,
}


def score(text: str, codec: str) -> float:
    if codec == "cp1252":
        return western_score(text)
    common = COMMON[codec]
    chars = [char for char in text if not char.isascii()]
    if not chars:
        return 0.0
    return sum(1 for char in chars if common(char)) / len(chars)


def western_score(text: str) -> float:
    """Accented letters and typographic signs come one or two at a time between ASCII letters
    ("ção"); a run of three or more, or two capitals ("ÕÅ"), is double-byte text read as cp1252."""
    total = good = 0
    for run in NON_ASCII_RUN.findall(text):
        total += len(run)
        if len(run) == 1 or (len(run) == 2 and not run.isupper()):
            good += sum(1 for char in run if char.isalpha() or char in WESTERN_PUNCTUATION)
    return good / total if total else 0.0


FREQUENT = {"gb18030": CHINESE, "big5hkscs": CHINESE, "cp949": KOREAN}


def frequency(text: str, codec: str) -> float:
    """The share of non-ASCII characters that are frequent in the codec's language: what tells
    Korean from Chinese, whose common planes share their bytes. Kana count for Japanese."""
    chars = [char for char in text if not char.isascii()]
    if not chars:
        return 0.0
    if codec == "cp932":
        return sum(1 for char in chars if "\u3040" <= char <= "\u30ff") / len(chars)
    frequent = FREQUENT.get(codec)
    if frequent is None:
        return 0.0
    return sum(1 for char in chars if char in frequent) / len(chars)


def strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def cut(data: bytes) -> bytes:
    """The judged slice, ending on ASCII so no candidate fails on a character cut in two."""
    if len(data) <= DETECT_SLICE:
        return data
    head = data[:DETECT_SLICE]
    for index in range(len(head) - 1, max(len(head) - 64, 0), -1):
        if head[index] < 0x80:
            return head[: index + 1]
    return head[: DETECT_SLICE // 2 * 2]


def detect_short(data: bytes) -> tuple[str, float] | None:
    """(codec, score) of the likeliest charset for a short 8-bit value, or None.

    A candidate must decode strictly and have most of its characters in its common plane; among
    those, the plane share plus the frequent-character share decides (cp1252, which has no
    frequency list, counts its plane share twice). Ties go to the first listed."""
    sample = cut(data)
    best: tuple[str, float] | None = None
    for codec in (*CJK_CODECS, "cp1252"):
        text = strict(sample, codec)
        if text is None:
            continue
        plane = score(text, codec)
        if plane < MIN_SCORE:
            continue
        value = plane * 2 if codec == "cp1252" else plane + frequency(text, codec)
        if best is None or value > best[1]:
            best = (codec, value)
    return best


def decode_short(data: bytes) -> str:
    """A short 8-bit value that is not UTF-8: the detected charset, else lossy cp1252."""
    best = detect_short(data)
    codec = best[0] if best else "cp1252"
    return data.decode(codec, errors="replace")
