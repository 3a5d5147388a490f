"""Read messages from standard input, .eml files, mbox files and Maildir folders.

Each yields (label, raw bytes); the label names the source in `comptoir ingest`'s output:
`-`, `path/to/file.eml`, `path/to/archive.mbox#12` (12th message), `maildir/cur/<name>`.
"""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

MBOX_SEPARATOR = b"From "


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def looks_like_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == MBOX_SEPARATOR


def read_path(name: str) -> Iterator[tuple[str, bytes]]:
    if name == "-":
        yield "-", sys.stdin.buffer.read()
        return
    path = Path(name)
    if is_maildir(path):
        yield from read_maildir(path)
    elif path.is_dir():
        for child in sorted(p for p in path.iterdir() if p.is_file() or is_maildir(p)):
            yield from read_path(str(child))
    elif looks_like_mbox(path):
        with path.open("rb") as handle:
            yield from read_mbox(handle, str(path))
    else:
        yield str(path), path.read_bytes()


def read_maildir(path: Path) -> Iterator[tuple[str, bytes]]:
    for sub in ("new", "cur"):
        for item in sorted((path / sub).iterdir()):
            if item.is_file() and not item.name.startswith("."):
                yield str(item), item.read_bytes()


def read_mbox(handle: BinaryIO, label: str) -> Iterator[tuple[str, bytes]]:
    """Stream an mbox: a message starts at a "From " line at the start of the file or after a
    blank line. Lines escaped as ">From " (mboxrd) lose one ">"."""
    lines: list[bytes] = []
    count = 0
    previous_blank = True
    for line in handle:
        if line.startswith(MBOX_SEPARATOR) and previous_blank:
            if lines:
                count += 1
                yield f"{label}#{count}", finish_mbox_message(lines)
            lines = []
        else:
            if line.startswith(b">") and line.lstrip(b">").startswith(MBOX_SEPARATOR):
                line = line[1:]
            lines.append(line)
        previous_blank = line in (b"\n", b"\r\n")
    if lines:
        yield f"{label}#{count + 1}", finish_mbox_message(lines)


def finish_mbox_message(lines: list[bytes]) -> bytes:
    # The blank line before the next "From " separator belongs to the mbox, not the message.
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]
    return b"".join(lines)
