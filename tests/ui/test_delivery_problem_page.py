"""Issue 12 §3: an outbound delivery failure is said on the ticket page in the reader's language.

The outbox sends to a real SMTP server (tests/smtp_sink.py) that refuses, defers or is not
there; the ticket page then says why under the message and in the history, in French for a
French reader (the server's own answer quoted as it came), in English for an English one.
"""

import html
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from comptoir.mail.outbox import send_due
from comptoir.tickets.models import Message
from tests.conftest import Acme
from tests.mail.outbox_helpers import CUSTOMER, RefusingHandler, fresh, queue_reply, running
from tests.smtp_sink import SmtpSink, free_port
from tests.ui.conftest import client_for

WORKER = "test-host:1"


@pytest.fixture
def sink(settings: Settings) -> Iterator[SmtpSink]:
    server = SmtpSink()
    settings.COMPTOIR_SMTP_URL = server.url
    with running(server):
        yield server


def pages(acme: Acme, message: Message) -> tuple[str, str]:
    """The ticket page in French, then in English, unescaped."""
    url = reverse("ui:ticket", args=[message.ticket.number])
    client: Client = client_for(acme.agent)
    french = client.get(url).text
    client.cookies["django_language"] = "en"
    return html.unescape(french), html.unescape(client.get(url).text)


def test_a_refused_reply_is_said_in_french_with_the_servers_answer(
    acme: Acme, sink: SmtpSink
) -> None:
    message = queue_reply(acme)
    sink.handler.answers = ["550 5.1.1 no such user"]
    send_due(WORKER, once=True)
    french, english = pages(acme, message)
    assert "Erreur de remise : le serveur de messagerie a répondu 550 5.1.1 no such user" in french
    assert "le serveur de messagerie a répondu 550 5.1.1 no such user" in french
    assert "la réponse n'a pas pu être remise" in french
    assert "answered" not in french and "could not be delivered" not in french
    assert "Delivery error: the mail server answered 550 5.1.1 no such user" in english


def test_a_reply_given_up_after_its_attempts_says_so_in_french(
    acme: Acme, sink: SmtpSink, settings: Settings
) -> None:
    settings.COMPTOIR_OUTBOX_MAX_ATTEMPTS = 2
    settings.COMPTOIR_OUTBOX_RETRY_BASE = 0
    message = queue_reply(acme)
    sink.handler.answers = ["451 4.3.0 try later"] * 2
    send_due(WORKER, once=True)
    assert fresh(message).delivery_error == "gave up after 2 attempts: 451 4.3.0 try later"
    french, english = pages(acme, message)
    said = "abandon après 2 tentatives : le serveur de messagerie a répondu 451 4.3.0 try later"
    assert f"Erreur de remise : {said}" in french
    assert "gave up" not in french
    assert "gave up after 2 attempts: the mail server answered 451 4.3.0 try later" in english


def test_a_server_not_there_is_the_last_error_in_french(acme: Acme, settings: Settings) -> None:
    port = free_port()  # nothing listens there
    settings.COMPTOIR_SMTP_URL = f"smtp://127.0.0.1:{port}"
    message = queue_reply(acme)
    send_due(WORKER, once=True)
    assert "Connection refused" in fresh(message).delivery_error
    french, _english = pages(acme, message)
    assert f"Dernière erreur : la connexion à smtp://127.0.0.1:{port} a échoué :" in french


def test_a_recipient_refused_among_others_is_said_in_french(acme: Acme, settings: Settings) -> None:
    sink = SmtpSink()
    sink.handler = RefusingHandler({"nobody@client.test": "550 5.1.1 no such user"})
    settings.COMPTOIR_SMTP_URL = sink.url
    message = queue_reply(acme, cc=["nobody@client.test"])
    with running(sink):
        send_due(WORKER, once=True)
    french, english = pages(acme, message)
    refused = "nobody@client.test : 550 5.1.1 no such user"
    assert f"Dernière erreur : envoyée, mais refusée pour {refused}" in french
    assert "refused for" not in french
    assert "sent, but refused for nobody@client.test: 550 5.1.1 no such user" in english
    assert CUSTOMER in english
