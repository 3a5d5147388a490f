"""Every non-body part of a multipart/mixed becomes an attachment with a real name: from the
Content-Disposition filename, else the Content-Type name (RFC 2047 or RFC 2231, any charset),
else the subject of a forwarded message, else a name made from the type."""

from comptoir.mail.parse import parse_email
from tests.mail.parse_fixtures import parse_fixture


def test_every_part_of_a_mixed_message_is_kept_with_its_name() -> None:
    parsed = parse_fixture("attachments-many-kinds.eml")
    assert parsed.text == "Voir les pieces jointes."
    assert parsed.html == "<p>Voir les pieces jointes.</p>"
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("video.mp4", "video/mp4"),
        ("attachment.html", "text/html"),
        ("attachment-2.html", "text/html"),
        ("Devis été.pdf", "application/pdf"),
        (
            "报价单.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("photo très longue.jpg", "image/jpeg"),
        ("Réclamation colis.eml", "message/rfc822"),
        ("audio.mp3", "audio/mpeg"),
        ("Résumé.doc", "application/msword"),
        ("conditions.pdf", "application/pdf"),
    ]
    second_html = parsed.attachments[2]
    assert second_html.content == b"<html><body>Second HTML document</body></html>"


def rfc2231_mail(charset: str, text: str) -> bytes:
    quoted = "".join(f"%{byte:02X}" for byte in text.encode(charset))
    return (
        b"From: a@example.com\nSubject: file\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nHi\n'
        b"--b\nContent-Type: application/pdf\n"
        b"Content-Disposition: attachment; filename*=" + charset.encode() + b"''"
        b"" + quoted.encode() + b".pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n"
    )


def test_rfc2231_filenames_decode_in_any_charset() -> None:
    samples = [
        ("utf-8", "Facture été"),
        ("iso-8859-1", "Facture été"),
        ("windows-1252", "Facture “été”"),
        ("iso-8859-2", "Zażółć"),
        ("koi8-r", "Счёт"),
        ("gb2312", "发票"),
        ("gbk", "朱镕基的发票"),
        ("big5", "發票"),
        ("shift_jis", "請求書"),
        ("euc-kr", "청구서"),
        # The label says latin-1, the bytes are UTF-8 or GBK: the bytes win.
    ]
    for charset, text in samples:
        parsed = parse_email(rfc2231_mail(charset, text))
        assert [a.filename for a in parsed.attachments] == [f"{text}.pdf"], charset


def test_rfc2231_filename_with_a_wrong_charset_label_is_detected() -> None:
    raw = rfc2231_mail("gb2312", "发票").replace(b"gb2312''", b"iso-8859-1''")
    assert [a.filename for a in parse_email(raw).attachments] == ["发票.pdf"]
    raw = rfc2231_mail("utf-8", "发票").replace(b"utf-8''", b"gb2312''")
    assert [a.filename for a in parse_email(raw).attachments] == ["发票.pdf"]


def test_nameless_parts_are_named_by_their_type() -> None:
    parts = [
        ("application/pdf", "attachment.pdf"),
        ("video/quicktime", "video.mov"),
        ("image/png", "image.png"),
        ("audio/mpeg", "audio.mp3"),
        ("application/zip", "attachment.zip"),
        ("application/x-unheard-of", "attachment.bin"),
    ]
    body = b"".join(
        b"--b\nContent-Type: " + ctype.encode() + b"\nContent-Transfer-Encoding: base64\n\nAAAA\n"
        for ctype, _ in parts
    )
    raw = (
        b"From: a@example.com\nSubject: files\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nHi\n'
        + body
        + b"--b--\n"
    )
    parsed = parse_email(raw)
    assert [a.filename for a in parsed.attachments] == [name for _, name in parts]


def test_html_fragments_around_an_inline_image_stay_body() -> None:
    # Apple Mail's shape: the HTML continues after an inline image; it is not a document.
    raw = (
        b"From: a@example.com\nSubject: photo\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/html\n\n<html><body>Before</body></html>\n"
        b"--b\nContent-Type: image/png\nContent-Disposition: inline; filename=p.png\n"
        b"Content-Transfer-Encoding: base64\n\niVBORw0K\n"
        b"--b\nContent-Type: text/html\n\n<html><body>After</body></html>\n--b--\n"
    )
    parsed = parse_email(raw)
    assert "Before" in parsed.html and "After" in parsed.html
    assert [a.filename for a in parsed.attachments] == ["p.png"]
