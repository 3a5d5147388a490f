"""Header values and filenames in an undeclared or wrongly declared 8-bit charset are detected,
not read as latin-1 into mojibake: GB2312/GBK, Big5, Shift_JIS, EUC-KR and cp1252."""

import base64

import pytest

from comptoir.mail.parse import Address, parse_email
from tests.mail.parse_fixtures import parse_fixture

# (codec the sender used, subject, display name): short values, as real headers are.
SAMPLES = [
    ("gb2312", "关于发票的问题", "张先生"),
    ("gbk", "订单查询：朱镕基", "王小明"),
    ("big5", "關於下週會議的安排", "陳大文"),
    ("shift_jis", "来週の会議について", "山田太郎"),
    ("euc-kr", "다음 주 회의 일정 안내", "김민수"),
    ("cp1252", "Réclamation « urgente » – n°5521", "Hélène Müller"),
    ("cp1252", "Größe falsch", "Jörg"),
]


def raw_header_mail(codec: str, subject: str, name: str) -> bytes:
    return (
        b"From: " + name.encode(codec) + b" <sender@example.com>\n"
        b"To: support@acme.test\nSubject: " + subject.encode(codec) + b"\n"
        b"Message-ID: <raw-8bit@example.com>\n\nBody.\n"
    )


@pytest.mark.parametrize(("codec", "subject", "name"), SAMPLES)
def test_undeclared_8bit_subject_and_name_are_detected(codec: str, subject: str, name: str) -> None:
    parsed = parse_email(raw_header_mail(codec, subject, name))
    assert parsed.subject == subject
    assert parsed.from_addr == Address(email="sender@example.com", name=name)


@pytest.mark.parametrize(("codec", "subject", "name"), SAMPLES)
def test_encoded_word_declared_latin1_holding_another_charset_is_detected(
    codec: str, subject: str, name: str
) -> None:
    def word(text: str) -> bytes:
        return b"=?iso-8859-1?B?" + base64.b64encode(text.encode(codec)) + b"?="

    raw = (
        b"From: " + word(name) + b" <sender@example.com>\nSubject: " + word(subject) + b"\n"
        b"Message-ID: <declared-latin1@example.com>\n\nBody.\n"
    )
    parsed = parse_email(raw)
    assert parsed.subject == subject
    assert parsed.from_addr == Address(email="sender@example.com", name=name)


@pytest.mark.parametrize(("codec", "subject", "name"), SAMPLES[:5])
def test_undeclared_8bit_attachment_name_is_detected(codec: str, subject: str, name: str) -> None:
    filename = f"{subject}.pdf".encode(codec)
    raw = (
        b"From: a@example.com\nSubject: file\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nHi\n'
        b'--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="'
        + filename
        + b'"\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n'
    )
    parsed = parse_email(raw)
    assert [a.filename for a in parsed.attachments] == [f"{subject}.pdf"]


def test_gb2312_encoded_word_from_keeps_its_address() -> None:
    parsed = parse_fixture("header-gb2312-encoded-from.eml")
    assert parsed.from_addr == Address(email="zhang.wei@example.cn", name="张先生")
    assert parsed.sender == Address(email="zhang.wei@example.cn", name="张先生")
    assert parsed.to == [
        Address(email="support@acme.test", name="客服"),
        Address(email="li.li@example.cn", name="李丽"),
    ]
    assert parsed.subject == "关于发票的问题"
    assert parsed.text == "请查收。\n"


def test_gb2312_encoded_word_holding_the_whole_address_keeps_it() -> None:
    # Some clients encode "name <address>" as one word; the address must come out of it.
    word = base64.b64encode("张先生 <zhang.wei@example.cn>".encode("gb2312"))
    raw = b"From: =?gb2312?B?" + word + b"?=\nSubject: x\nMessage-ID: <w@example.cn>\n\nBody\n"
    parsed = parse_email(raw)
    assert parsed.from_addr == Address(email="zhang.wei@example.cn", name="张先生")


def test_detection_reads_a_bounded_slice_of_a_huge_header() -> None:
    # A 2 MB 8-bit subject: detection looks at its start only; the rest is decoded with the
    # same codec (the hostile-mail suite checks the timing; here the result).
    subject = "关于发票的问题" * 150_000
    raw = b"From: a@example.com\nSubject: " + subject.encode("gb2312") + b"\n\nBody\n"
    assert parse_email(raw).subject == subject
