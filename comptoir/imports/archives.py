"""Mail archives uploaded for import, read safely: an .eml file, an mbox, or a zip of .eml
files, mbox files or a Maildir.

Yields (label, raw bytes or None, problem) in a stable order, so that an import resumed at
position N skips exactly the N items done before. An item that cannot be imported (too
large, an unsafe name in a zip, a nested archive) comes with raw None and the reason, and is
reported. Zip members are never extracted to disk: they are read in memory, one at a time,
by their index in the archive, so a member named `../../etc/passwd` cannot write anywhere;
such names are reported and skipped. A zip bomb is refused before anything is read: too many
members, or more uncompressed bytes than COMPTOIR_IMPORT_MAX_UNCOMPRESSED (the sizes zipfile
checks while reading, so a lying header cannot go past them).
"""

import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from django.conf import settings

from comptoir.mail.sources import MBOX_SEPARATOR, read_mbox

ZIP_MAGIC = b"PK\x03\x04"
type Item = tuple[str, bytes | None, str]


class ArchiveError(Exception):
    """The whole archive is refused (a zip bomb, a broken zip)."""


def read_archive(handle: BinaryIO, name: str) -> Iterator[Item]:
    """Every message of the stored file `handle` (seekable), whose original name is `name`."""
    start = handle.read(5)
    handle.seek(0)
    if start.startswith(ZIP_MAGIC):
        yield from read_zip(handle, name)
    elif start == MBOX_SEPARATOR:
        yield from limited(read_mbox(handle, name))
    else:
        yield from limited(iter([(name, handle.read())]))


def limited(items: Iterator[tuple[str, bytes]]) -> Iterator[Item]:
    limit = settings.COMPTOIR_MAX_MESSAGE_SIZE
    for label, raw in items:
        if len(raw) > limit:
            yield label, None, f"message larger than {limit} bytes"
        else:
            yield label, raw, ""


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
        raise ArchiveError(f"not a readable zip file: {exc}") from exc
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > settings.COMPTOIR_IMPORT_MAX_MEMBERS:
        raise ArchiveError(
            f"zip refused: {len(members)} files, more than "
            f"{settings.COMPTOIR_IMPORT_MAX_MEMBERS} (COMPTOIR_IMPORT_MAX_MEMBERS)"
        )
    total = sum(info.file_size for info in members)
    if total > settings.COMPTOIR_IMPORT_MAX_UNCOMPRESSED:
        raise ArchiveError(
            f"zip refused: {total} bytes once uncompressed, more than "
            f"{settings.COMPTOIR_IMPORT_MAX_UNCOMPRESSED} (COMPTOIR_IMPORT_MAX_UNCOMPRESSED)"
        )
    # Maildir order: new/ before cur/ is not worth keeping; names sort stably.
    return archive, sorted(members, key=lambda info: info.filename)


def read_zip(handle: BinaryIO, name: str) -> Iterator[Item]:
    archive, members = open_zip(handle)
    with archive:
        for info in members:
            label = f"{name}:{info.filename}"
            if unsafe_name(info.filename):
                yield label, None, "unsafe path in the zip, ignored"
            elif not ignored_name(info.filename):
                yield from read_member(archive, info, label)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> Iterator[Item]:
    limit = settings.COMPTOIR_MAX_MESSAGE_SIZE
    try:
        with archive.open(info) as member:
            start = member.read(5)
            if start.startswith(ZIP_MAGIC):
                yield label, None, "nested archive, ignored"
                return
            if start == MBOX_SEPARATOR:
                with archive.open(info) as again:
                    yield from limited(read_mbox(again, label))  # type: ignore[arg-type]
                return
            if info.file_size > limit:
                yield label, None, f"message larger than {limit} bytes"
                return
            yield label, start + member.read(limit), ""
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
        # A corrupt or encrypted member: the others may still be fine.
        yield label, None, f"unreadable zip member: {exc}"
