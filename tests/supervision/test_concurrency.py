"""Two changes of one agent's state at the same moment, from two connections (two servers):
they follow each other under the presence lock, and the history never has two open spans
nor a gap or an overlap. On PostgreSQL the presence row is locked (SELECT … FOR UPDATE);
SQLite's writers take turns."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from comptoir.supervision import states
from comptoir.supervision.models import AgentPresence, AgentStateSpan, PauseReason
from comptoir.tenancy.models import User
from tests.concurrency import run_together
from tests.conftest import make_acme

ROUNDS = 40


@pytest.mark.django_db(transaction=True)
def test_two_changes_at_once_never_leave_two_open_spans() -> None:
    acme = make_acme()
    reason = PauseReason.objects.filter(domain=acme.domain)[0]
    start = timezone.now()

    def change(worker: str) -> int:
        agent = User.objects.get(pk=acme.agent.pk)  # this thread's own objects
        for index in range(ROUNDS):
            now = start + timedelta(seconds=index)
            if worker == "w0":
                states.enter_play(agent, acme.support, now=now)
            elif index % 3 == 0:
                states.leave_play(agent, now=now)
            else:
                states.pause(agent, reason=reason, now=now)
        return ROUNDS

    assert run_together(change) == [ROUNDS, ROUNDS]
    spans = list(AgentStateSpan.objects.filter(agent=acme.agent).order_by("started_at", "pk"))
    assert [s.ended_at for s in spans].count(None) == 1 and spans[-1].ended_at is None
    for before, after in itertools.pairwise(spans):
        assert before.ended_at == after.started_at  # no gap, no overlap
        assert before.started_at <= before.ended_at
    presence = AgentPresence.objects.get(agent=acme.agent)
    assert (presence.state, presence.since) == (spans[-1].state, spans[-1].started_at)
