"""Every real-world email under COMPTOIR_CORPUS parses: no exception but ParseLimitError, and
subject and sender are decoded whenever the raw headers have them."""

import hashlib
import json
import mailbox
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from comptoir.mail.parse import ParseLimitError, parse_email

CORPUS = os.environ.get("COMPTOIR_CORPUS", "")
# Expected-output files that sit next to the messages in other projects' test suites.
NOT_MAIL = frozenset({".xml", ".out", ".bin", ".md", ".json", ".yml", ".yaml", ".py", ".rb"})
HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")


def looks_like_mail(path: Path) -> bool:
    if path.suffix.lower() in NOT_MAIL:
        return False
    with path.open("rb") as handle:
        head = handle.read(2048)
    lines = head.lstrip(b"\r\n").splitlines()
    if lines and lines[0].startswith(b"From "):
        lines = lines[1:]  # an mbox-style envelope line
    return bool(lines) and bool(HEADER_LINE.match(lines[0]))


def corpus_messages(root: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix.lower() == ".mbox":
            for index, entry in enumerate(mailbox.mbox(path)):
                yield f"{path}#{index}", entry.as_bytes()
        elif looks_like_mail(path):
            yield str(path), path.read_bytes()


def raw_header_has_content(raw: bytes, name: bytes) -> bool:
    """Whether the header block holds `name:` with something other than whitespace after it."""
    header_block = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    pattern = rb"^" + name + rb"[ \t]*:[ \t]*(.*(?:\r?\n[ \t].*)*)"
    match = re.search(pattern, header_block, re.IGNORECASE | re.MULTILINE)
    return bool(match and match.group(1).strip())


def problems_with(raw: bytes) -> list[str]:
    try:
        parsed = parse_email(raw)
    except ParseLimitError:
        return []
    except Exception as error:
        return [f"raised {type(error).__name__}: {error}"]
    problems = []
    if raw_header_has_content(raw, b"Subject") and not parsed.subject:
        problems.append("empty subject")
    sender = parsed.from_addr
    if raw_header_has_content(raw, b"From") and not (sender and (sender.email or sender.name)):
        problems.append("empty sender")
    return problems


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS, reason="COMPTOIR_CORPUS names no folder")
def test_every_corpus_email_parses_with_subject_and_sender() -> None:
    root = Path(CORPUS)
    assert root.is_dir(), f"COMPTOIR_CORPUS={CORPUS} is not a folder"
    failures: list[str] = []
    count = 0
    for name, raw in corpus_messages(root):
        count += 1
        failures.extend(f"{name}: {problem}" for problem in problems_with(raw))
    print(f"parsed {count} corpus messages, {len(failures)} failures")
    assert count > 0, "no email found in the corpus"
    assert not failures, "\n".join(failures)


# Hand-read expectations for the hardest corpus messages: relative path and sha256 of the file,
# the subject and sender a careful reading of the raw bytes gives (never our parser's output).
# No corpus mail is copied into the repository: their licences differ (corpora/SOURCES.md).
EXPECTED = Path(__file__).parent / "corpus_expected.json"


def expectation_failures(root: Path) -> list[str]:
    failures = []
    for entry in json.loads(EXPECTED.read_text(encoding="utf-8")):
        path = root / entry["path"]
        if not path.is_file():
            failures.append(f"{entry['path']}: missing from the corpus")
            continue
        raw = path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
            failures.append(f"{entry['path']}: not the file the expectation was written for")
            continue
        parsed = parse_email(raw)
        if parsed.subject != " ".join(entry["subject"].split()):
            failures.append(f"{entry['path']}: subject {parsed.subject!r} != {entry['subject']!r}")
        wanted = entry["sender"]
        got = parsed.from_addr
        got_pair = None if got is None else {"name": got.name, "email": got.email}
        if got_pair != wanted:
            failures.append(f"{entry['path']}: sender {got_pair!r} != {wanted!r}")
    return failures


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS, reason="COMPTOIR_CORPUS names no folder")
def test_the_hardest_corpus_emails_decode_to_their_hand_read_subject_and_sender() -> None:
    failures = expectation_failures(Path(CORPUS))
    assert not failures, "\n".join(failures)
