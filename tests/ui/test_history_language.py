"""The ticket page says a ticket's history in its reader's language (issue 12): a ticket made
by real ingest, then taken by an agent, read by a French and by an English-speaking agent."""

from django.urls import reverse

from comptoir.distribution.actions import assign_to_me
from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Ticket
from tests.conftest import Acme, read_eml
from tests.ui.conftest import client_for

FRENCH = [
    "nouveau ticket : aucun Message-ID connu n&#x27;est cité",
    "rattaché par l&#x27;en-tête In-Reply-To &lt;req-1@exemple.fr&gt;",
    "affecté à alice",
]
ENGLISH = [
    "new ticket: no known Message-ID referenced and no usable subject tag",
    "matched In-Reply-To header &lt;req-1@exemple.fr&gt;",
    "assigned to alice",
]


def ingested_and_taken(acme: Acme) -> Ticket:
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    ingest_email(read_eml("ingest/reply-in-reply-to.eml"), domain=acme.domain)
    ticket = Ticket.objects.get(domain=acme.domain, number=1)
    return assign_to_me(ticket, acme.agent)


def test_a_french_agent_reads_the_history_in_french(acme: Acme) -> None:
    ticket = ingested_and_taken(acme)
    page = client_for(acme.agent).get(reverse("ui:ticket", args=[ticket.number])).text
    for said in FRENCH:
        assert said in page
    for said in ENGLISH:
        assert said not in page
    assert "<strong>Ticket créé</strong>" in page


def test_an_english_speaking_agent_reads_it_in_english(acme: Acme) -> None:
    acme.agent.language = "en"
    acme.agent.save()
    ticket = ingested_and_taken(acme)
    page = client_for(acme.agent).get(reverse("ui:ticket", args=[ticket.number])).text
    for said in ENGLISH:
        assert said in page
    for said in FRENCH:
        assert said not in page
