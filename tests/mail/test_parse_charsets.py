"""Bodies and headers in every charset real mail uses, including mislabelled and unknown ones."""

from comptoir.mail.parse_charsets import decode_bytes
from tests.mail.parse_fixtures import parse_fixture


def test_iso_8859_1_label_is_read_as_cp1252_like_browsers() -> None:
    parsed = parse_fixture("charset-latin1-is-cp1252.eml")
    assert parsed.text == "L’été est chaud – 20 € par jour.\n"


def test_iso_8859_2_body_is_decoded() -> None:
    assert parse_fixture("charset-iso-8859-2.eml").text == "Zażółć gęślą jaźń\n"


def test_windows_1251_body_is_decoded() -> None:
    assert parse_fixture("charset-windows-1251.eml").text == "Здравствуйте, заказ не пришёл.\n"


def test_koi8r_subject_and_body_are_decoded() -> None:
    parsed = parse_fixture("charset-koi8-r.eml")
    assert parsed.subject == "Вопрос о доставке"
    assert parsed.text == "Спасибо за ответ.\n"


def test_gb2312_label_is_read_as_its_gbk_superset() -> None:
    # 镕 is in GBK, not in GB2312: senders use the narrow label for the wide charset.
    assert parse_fixture("charset-gb2312-is-gbk.eml").text == "你好，朱镕基。\n"


def test_gb18030_body_with_emoji_is_decoded() -> None:
    assert parse_fixture("charset-gb18030.eml").text == "订单已发货 😀\n"


def test_iso_2022_jp_subject_and_body_are_decoded() -> None:
    parsed = parse_fixture("charset-iso-2022-jp.eml")
    assert parsed.subject == "注文について"
    assert parsed.text == "お問い合わせありがとうございます。\n"


def test_shift_jis_label_accepts_windows_extensions() -> None:
    # ① exists only in cp932 (Windows Shift_JIS), which Japanese mail uses under "Shift_JIS".
    assert parse_fixture("charset-shift-jis-cp932.eml").text == "①番の商品です。\n"


def test_utf7_body_is_decoded() -> None:
    assert parse_fixture("charset-utf-7.eml").text == "Café ouvert → 9h\n"


def test_unknown_charset_falls_back_and_is_recorded() -> None:
    parsed = parse_fixture("charset-unknown-label.eml")
    assert parsed.text == "Grüße aus Köln\n"
    assert "unknown charset 'x-martian' in the text body" in parsed.defects


def test_us_ascii_label_on_utf8_text_prefers_utf8() -> None:
    parsed = parse_fixture("charset-ascii-is-utf8.eml")
    assert parsed.text == "Merci beaucoup, René\n"
    assert "charset us-ascii is actually utf-8 in the text body" in parsed.defects


def test_missing_charset_on_8bit_text_reads_cp1252() -> None:
    parsed = parse_fixture("charset-missing-cp1252.eml")
    assert parsed.text == "Réponse rapide\n"
    assert "8-bit text without charset read as cp1252 in the text body" in parsed.defects


def test_unknown_charset_that_is_not_utf8_is_guessed_by_charset_normalizer() -> None:
    text = "Съешь же ещё этих мягких французских булок, да выпей чаю. " * 3
    defects: list[str] = []
    assert decode_bytes(text.encode("cp1251"), "x-cyrillic-custom", defects) == text
    assert defects[0] == "unknown charset 'x-cyrillic-custom'"
    assert defects[1].startswith("charset guessed as ")


def test_hostile_codec_names_never_reach_bytes_decode() -> None:
    defects: list[str] = []
    assert decode_bytes(b"caf\xc3\xa9", "zlib", defects) == "café"
    assert defects == ["unknown charset 'zlib'"]
