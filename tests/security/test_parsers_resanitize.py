"""Mail HTML is sanitised once, at ingest; pages show the stored copy; `comptoir resanitize`
applies a new policy to what is stored (issue 10, finding 3)."""

from django.core.management import call_command
from django.urls import reverse

from comptoir.lib.html import sanitize_html
from comptoir.mail.ingest import ingest_email
from comptoir.mail.resanitize import resanitize
from comptoir.tickets.models import Message
from tests.conftest import Acme, make_acme
from tests.ui.conftest import client_for

SENDER_HTML = (
    '<p onclick="steal()">Bonjour <b>Claire</b></p><script>alert(1)</script>'
    '<div data-x="1">fin</div>'
)


def html_mail(slug: str, message_id: str) -> bytes:
    return (
        f"From: Claire <claire@client.test>\nTo: support@{slug}.test\nSubject: Question\n"
        f"Message-ID: <{message_id}>\nContent-Type: text/html; charset=utf-8\n\n{SENDER_HTML}\n"
    ).encode()


def ingested(acme: Acme, message_id: str) -> Message:
    result = ingest_email(html_mail(acme.domain.slug, message_id), domain=acme.domain)
    assert result.outcome == "created"
    return Message.objects.get(raw_id=result.raw_id)


def test_the_ticket_page_shows_the_stored_html_without_sanitising_it_again(acme: Acme) -> None:
    message = ingested(acme, "m1@client.test")
    assert message.html == sanitize_html(SENDER_HTML + "\n")
    # What an older, laxer policy stored: the page must show it as it is, proof that it is not
    # sanitised at each view (which is what made one deep message cost 42 s per view).
    message.html = '<p data-stored="yes">Ancienne version</p>'
    message.save(update_fields=["html"])
    url = reverse("ui:ticket", args=[message.ticket.number])
    page = client_for(acme.agent).get(url).text
    assert '<p data-stored="yes">Ancienne version</p>' in page


def test_resanitize_rewrites_stored_html_from_the_raw_source(acme: Acme) -> None:
    message = ingested(acme, "m1@client.test")
    expected = message.html
    Message.objects.filter(pk=message.pk).update(html='<p onclick="old()">Ancienne</p>')
    call_command("resanitize")
    message.refresh_from_db()
    assert message.html == expected
    assert "Claire" in message.html and "onclick" not in message.html


def test_resanitize_without_raw_source_sanitises_the_stored_copy(acme: Acme) -> None:
    message = ingested(acme, "m1@client.test")
    raw = message.raw
    Message.objects.filter(pk=message.pk).update(raw=None, html='<b onclick="x()">gras</b>')
    assert raw is not None
    tally = resanitize()
    message.refresh_from_db()
    assert message.html == "<b>gras</b>"
    assert (tally.checked, tally.rewritten, tally.from_stored) == (1, 1, 1)


def test_resanitize_by_domain_and_in_batches(acme: Acme) -> None:
    globex = make_acme("globex")
    ours = [ingested(acme, f"a{i}@client.test") for i in range(5)]
    theirs = ingested(globex, "g@client.test")
    Message.objects.update(html="<p onclick='x()'>old</p>")
    call_command("resanitize", "--domain", "acme", "--batch-size", "2")
    for message in ours:
        message.refresh_from_db()
        assert "Claire" in message.html
    theirs.refresh_from_db()
    assert theirs.html == "<p onclick='x()'>old</p>"
    tally = resanitize(domain=acme.domain)
    assert (tally.checked, tally.rewritten) == (5, 0)
