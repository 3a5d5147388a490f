"""Every real-world email under COMPTOIR_CORPUS goes through the real ingest pipeline: stored
with its raw bytes intact, filed or quarantined with a reason, never lost, never a crash."""

from pathlib import Path

import pytest

from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Message, RawMessage
from tests.conftest import Acme
from tests.mail.test_corpus_parse import CORPUS, corpus_messages

STORED = {"created", "appended", "duplicate", "quarantined"}


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS, reason="COMPTOIR_CORPUS names no folder")
def test_every_corpus_email_is_stored_byte_for_byte(acme: Acme) -> None:
    failures: list[str] = []
    outcomes: dict[str, int] = {}
    for name, raw in corpus_messages(Path(CORPUS)):
        result = ingest_email(raw, campaign=acme.support, source=name)
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        if result.outcome not in STORED:
            failures.append(f"{name}: {result.outcome} {result.reason}")
        elif result.outcome == "duplicate":
            continue  # the same message twice in the corpus: the first copy is kept
        elif bytes(RawMessage.objects.get(pk=result.raw_id).content) != raw:
            failures.append(f"{name}: raw bytes changed")
        elif result.outcome == "quarantined" and not result.reason:
            failures.append(f"{name}: quarantined without a reason")
    print(f"ingested corpus: {outcomes}")
    assert sum(outcomes.values()) > 0
    assert not failures, "\n".join(failures)
    stored = Message.objects.filter(domain=acme.domain).count()
    assert stored == outcomes.get("created", 0) + outcomes.get("appended", 0)
