"""Parser test helpers: the hand-written .eml set and a minimal TNEF (winmail.dat) writer."""

import base64
import struct
from pathlib import Path

from comptoir.mail.parse import ParsedEmail, parse_email

PARSE_EMAILS = Path(__file__).parent.parent / "emails" / "parse"


def read_fixture(name: str) -> bytes:
    return (PARSE_EMAILS / name).read_bytes()


def parse_fixture(name: str) -> ParsedEmail:
    return parse_email(read_fixture(name))


def tnef_attribute(level: int, attribute: int, kind: int, data: bytes) -> bytes:
    """One TNEF attribute: level, id, type, length, data, 16-bit byte-sum checksum (MS-OXTNEF)."""
    header = struct.pack("<BHHI", level, attribute, kind, len(data))
    return header + data + struct.pack("<H", sum(data) & 0xFFFF)


def tnef_blob(files: dict[str, bytes]) -> bytes:
    """A valid TNEF stream holding `files`, as Outlook writes them into winmail.dat."""
    blob = struct.pack("<IH", 0x223E9F78, 1)
    blob += tnef_attribute(1, 0x9006, 0x0008, struct.pack("<I", 0x10000))  # attTnefVersion
    blob += tnef_attribute(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))  # attOemCodepage
    for name, content in files.items():
        blob += tnef_attribute(2, 0x9002, 0x0006, bytes(14))  # attAttachRendData starts a file
        blob += tnef_attribute(2, 0x8010, 0x0001, name.encode() + b"\x00")  # attAttachTitle
        blob += tnef_attribute(2, 0x800F, 0x0006, content)  # attAttachData
    return blob


def message_with_winmail(winmail: bytes) -> bytes:
    encoded = base64.encodebytes(winmail)
    return (
        b"From: Outlook User <user@corp.example>\nTo: support@acme.test\n"
        b"Subject: Contract\nMessage-ID: <tnef@corp.example>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="tnef"\n\n--tnef\n'
        b"Content-Type: text/plain; charset=us-ascii\n\nPlease sign.\n--tnef\n"
        b'Content-Type: application/ms-tnef; name="winmail.dat"\n'
        b'Content-Disposition: attachment; filename="winmail.dat"\n'
        b"Content-Transfer-Encoding: base64\n\n" + encoded + b"--tnef--\n"
    )
