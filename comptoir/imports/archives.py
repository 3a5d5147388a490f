"""Mail archives uploaded for import, read safely: an .eml file, an mbox, or a zip of .eml
files, mbox files or a Maildir.

Yields (label, raw bytes or None, problem, cursor) in a stable order. The cursor says where
the NEXT item starts, so that a chunk resumed from a saved cursor seeks straight to it
instead of reading the archive again from its start: for an mbox, the byte offset of the next
"From " line; for a zip, the index of the next member (and, inside an mbox member, the
offset of its next message). An item that cannot be imported (too large, an unsafe name in a
zip, a nested archive) comes with raw None and the reason, and is reported.

An mbox is streamed line by line (lines read at most LINE bytes at a time) and a message stops
being kept in memory once it is larger than COMPTOIR_MAX_MESSAGE_SIZE, so a huge mbox, or a
huge message in it, never sits whole in memory. Zip members are never extracted to disk: they
are read in memory, one at a time, by their index in the archive, so a member named
`../../etc/passwd` cannot write anywhere; such names are reported and skipped. A zip bomb is
refused before anything is read: too many members, or more uncompressed bytes than
COMPTOIR_IMPORT_MAX_UNCOMPRESSED (the sizes zipfile checks while reading, so a lying header
cannot go past them).
"""

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from comptoir.mail.sources import MBOX_SEPARATOR, finish_mbox_message

ZIP_MAGIC = b"PK\x03\x04"
# An mbox is read at most this many bytes at a time, even when a line is longer.
LINE = 64 * 1024


@dataclass(frozen=True)
class Cursor:
    """Where to resume reading an archive: the zip member (0 outside a zip), the byte offset
    of the next message in the mbox being read (the file, or that member), and how many
    messages of that mbox were read before (for the labels `archive.mbox#N`)."""

    member: int = 0
    offset: int = 0
    number: int = 0


type Item = tuple[str, bytes | None, str, Cursor]


class ArchiveError(Exception):
    """The whole archive is refused (a zip bomb, a broken zip)."""


def read_archive(handle: BinaryIO, name: str, start: Cursor | None = None) -> Iterator[Item]:
    """The messages of the stored file `handle` (seekable), whose original name is `name`,
    from `start` (a cursor an earlier item gave) or from the beginning."""
    start = start or Cursor()
    handle.seek(0)
    magic = handle.read(5)
    if magic.startswith(ZIP_MAGIC):
        yield from read_zip(handle, name, start)
    elif magic == MBOX_SEPARATOR:
        yield from read_mbox(handle, name, start)
    elif start.member == 0:
        yield read_single(handle, name)


def too_large() -> str:
    return _("message larger than %(limit)s bytes") % {"limit": settings.COMPTOIR_MAX_MESSAGE_SIZE}


def read_single(handle: BinaryIO, name: str) -> Item:
    """One .eml file; its size is checked before it is read."""
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    if size > settings.COMPTOIR_MAX_MESSAGE_SIZE:
        return name, None, too_large(), Cursor(member=1)
    return name, handle.read(), "", Cursor(member=1)


class MboxMessage:
    """The lines of one mbox message, kept only while it stays under the size limit."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self.size = 0
        # + 2: the blank line before the next separator belongs to the mbox, not the message.
        self.room = settings.COMPTOIR_MAX_MESSAGE_SIZE + 2

    def add(self, line: bytes) -> None:
        self.size += len(line)
        if self.size <= self.room:
            self.lines.append(line)
        else:
            self.lines = []  # too large: it is reported, so nothing more is kept

    def item(self, label: str, after: Cursor) -> Item:
        raw = finish_mbox_message(self.lines) if self.size <= self.room else None
        if raw is None or len(raw) > settings.COMPTOIR_MAX_MESSAGE_SIZE:
            return label, None, too_large(), after
        return label, raw, "", after


def read_mbox(handle: BinaryIO, label: str, start: Cursor) -> Iterator[Item]:
    """Stream an mbox from the "From " line at byte `start.offset`: a message starts at a
    "From " line at the start of the file or after a blank line; lines escaped as ">From "
    (mboxrd) lose one ">". Same messages as mail.sources.read_mbox, plus their cursors."""
    handle.seek(start.offset)
    offset, number = start.offset, start.number
    message: MboxMessage | None = None
    line_start, previous_blank, in_separator = True, True, False
    while line := handle.readline(LINE):
        read = len(line)
        if in_separator:  # the rest of a "From " line longer than LINE
            in_separator = not line.endswith(b"\n")
        elif line_start and previous_blank and line.startswith(MBOX_SEPARATOR):
            if message is not None and message.size:
                number += 1
                yield message.item(f"{label}#{number}", Cursor(start.member, offset, number))
            message, in_separator = MboxMessage(), not line.endswith(b"\n")
        elif message is not None:
            if line_start and line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
                line = line[1:]
            message.add(line)
        previous_blank = line_start and line in (b"\n", b"\r\n")
        line_start = line.endswith(b"\n")
        offset += read
    if message is not None and message.size:
        number += 1
        yield message.item(f"{label}#{number}", Cursor(start.member, offset, number))


def unsafe_name(name: str) -> bool:
    """A name that would escape the folder if extracted (absolute, `..`, a drive, NUL)."""
    path = PurePosixPath(name.replace("\\", "/"))
    return (
        path.is_absolute()
        or ".." in path.parts
        or "\x00" in name
        or (len(name) > 1 and name[1] == ":")
    )


def ignored_name(name: str) -> bool:
    """Not mail: folders' metadata, Maildir's tmp/, hidden files."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any(part.startswith(".") or part == "__MACOSX" for part in parts) or (
        len(parts) > 1 and parts[-2] == "tmp"
    )


def open_zip(handle: BinaryIO) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveError(_("not a readable zip file: %(error)s") % {"error": exc}) from exc
    members = [info for info in archive.infolist() if not info.is_dir()]
    limit = settings.COMPTOIR_IMPORT_MAX_MEMBERS
    if len(members) > limit:
        raise ArchiveError(
            _("zip refused: %(count)s files, more than %(limit)s (COMPTOIR_IMPORT_MAX_MEMBERS)")
            % {"count": len(members), "limit": limit}
        )
    total = sum(info.file_size for info in members)
    limit = settings.COMPTOIR_IMPORT_MAX_UNCOMPRESSED
    if total > limit:
        raise ArchiveError(
            _(
                "zip refused: %(size)s bytes once uncompressed, more than %(limit)s "
                "(COMPTOIR_IMPORT_MAX_UNCOMPRESSED)"
            )
            % {"size": total, "limit": limit}
        )
    # Maildir order: new/ before cur/ is not worth keeping; names sort stably. The order must
    # never change between two chunks: a cursor is an index in this list.
    return archive, sorted(members, key=lambda info: info.filename)


def read_zip(handle: BinaryIO, name: str, start: Cursor) -> Iterator[Item]:
    archive, members = open_zip(handle)
    with archive:
        for index in range(start.member, len(members)):
            info = members[index]
            label = f"{name}:{info.filename}"
            if unsafe_name(info.filename):
                yield label, None, _("unsafe path in the zip, ignored"), Cursor(index + 1)
            elif not ignored_name(info.filename):
                resume = start if index == start.member else Cursor(index)
                yield from read_member(archive, info, label, resume)


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, at: Cursor
) -> Iterator[Item]:
    """One zip member: a message, or an mbox (resumed at `at.offset` if it was begun)."""
    after = Cursor(at.member + 1)
    try:
        with archive.open(info) as member:
            start = member.read(5)
            if start == MBOX_SEPARATOR:
                # A deflated member cannot be seeked without inflating it up to the offset:
                # cheap next to ingesting; an uncompressed mbox upload is seeked directly.
                yield from read_mbox(member, label, at)  # type: ignore[arg-type]
            elif start.startswith(ZIP_MAGIC):
                yield label, None, _("nested archive, ignored"), after
            elif info.file_size > settings.COMPTOIR_MAX_MESSAGE_SIZE:
                yield label, None, too_large(), after
            else:
                limit = settings.COMPTOIR_MAX_MESSAGE_SIZE
                yield label, start + member.read(limit), "", after
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
        # A corrupt or encrypted member: the others may still be fine.
        yield label, None, _("unreadable zip member: %(error)s") % {"error": exc}, after
