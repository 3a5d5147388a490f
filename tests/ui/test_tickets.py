"""The read-only ticket list and thread: each user sees exactly the tickets that are theirs."""

from django.test import Client
from django.urls import reverse

from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.blobs import store_blob
from comptoir.tickets.models import Attachment, Direction
from tests.conftest import Acme, make_acme
from tests.ui.conftest import add_event, add_message, client_for, make_ticket


def list_numbers(client: Client, **params: str) -> set[int]:
    response = client.get(reverse("ui:tickets"), params)
    assert response.status_code == 200
    return {ticket.number for ticket in response.context["page"]}


def ticket_url(number: int | None) -> str:
    assert number is not None
    return reverse("ui:ticket", args=[number])


# --- List -------------------------------------------------------------------------------


def test_list_shows_the_tickets_of_the_users_campaigns_with_their_columns(acme: Acme) -> None:
    ticket = make_ticket(acme.support, subject="Colis abîmé", contact_email="claire@client.test")
    response = client_for(acme.agent).get(reverse("ui:tickets"))
    assert f"#{ticket.number}" in response.text
    assert "Colis abîmé" in response.text
    assert "claire@client.test" in response.text
    assert "Support" in response.text
    assert "Ouvert" in response.text


def test_another_domains_tickets_never_appear(acme: Acme) -> None:
    globex = make_acme("globex")
    ours = make_ticket(acme.support)
    make_ticket(globex.support, subject="Secret de Globex")
    for user in (acme.agent, acme.supervisor):
        response = client_for(user).get(reverse("ui:tickets"))
        assert "Secret de Globex" not in response.text
        assert {t.pk for t in response.context["page"]} == {ours.pk}


def test_agent_without_a_team_in_a_campaign_does_not_see_its_tickets(acme: Acme) -> None:
    acme.orders.agent_teams.clear()
    visible = make_ticket(acme.support)
    make_ticket(acme.orders, subject="Commande 42")
    assert list_numbers(client_for(acme.agent)) == {visible.number}


def test_member_of_a_supervision_team_sees_the_campaigns_tickets(acme: Acme) -> None:
    acme.orders.agent_teams.clear()
    watchers = Team.objects.create(domain=acme.domain, name="Superviseurs commandes")
    watchers.members.add(acme.agent)
    acme.orders.supervision_teams.add(watchers)
    ticket = make_ticket(acme.orders)
    assert ticket.number in list_numbers(client_for(acme.agent))


def test_supervisor_sees_every_campaign_of_the_domain_without_being_in_a_team(acme: Acme) -> None:
    support = make_ticket(acme.support)
    orders = make_ticket(acme.orders)
    assert list_numbers(client_for(acme.supervisor)) == {support.number, orders.number}


def test_ticket_assigned_to_someone_else_is_hidden_from_an_agent(acme: Acme) -> None:
    bob = User.objects.create_user(domain=acme.domain, login="bob", password="pw", role=Role.AGENT)
    acme.support.agent_teams.first().members.add(bob)  # type: ignore[union-attr]
    mine = make_ticket(acme.support, assignee=acme.agent)
    bobs = make_ticket(acme.support, assignee=bob)
    free = make_ticket(acme.support)
    assert list_numbers(client_for(acme.agent)) == {mine.number, free.number}
    assert bobs.number in list_numbers(client_for(acme.supervisor))


def test_list_filters_by_campaign_and_status(acme: Acme) -> None:
    open_support = make_ticket(acme.support)
    closed_support = make_ticket(acme.support, status="closed")
    open_orders = make_ticket(acme.orders)
    client = client_for(acme.agent)
    assert list_numbers(client, campaign=str(acme.orders.pk)) == {open_orders.number}
    assert list_numbers(client, status="closed") == {closed_support.number}
    assert list_numbers(client, campaign=str(acme.support.pk), status="open") == {
        open_support.number
    }


def test_filter_on_another_domains_campaign_is_ignored(acme: Acme) -> None:
    globex = make_acme("globex")
    ticket = make_ticket(acme.support)
    assert list_numbers(client_for(acme.agent), campaign=str(globex.support.pk)) == {ticket.number}


def test_search_finds_by_subject_contact_email_and_number(acme: Acme) -> None:
    parcel = make_ticket(acme.support, subject="Colis perdu")
    invoice = make_ticket(acme.support, subject="Facture", contact_email="marc@pme.test")
    client = client_for(acme.agent)
    assert list_numbers(client, q="colis") == {parcel.number}
    assert list_numbers(client, q="marc@pme") == {invoice.number}
    assert list_numbers(client, q=f"#{invoice.number}") == {invoice.number}


def test_list_is_paginated_by_fifty(acme: Acme) -> None:
    for _ in range(51):
        make_ticket(acme.support)
    client = client_for(acme.agent)
    first = client.get(reverse("ui:tickets"))
    second = client.get(reverse("ui:tickets"), {"page": "2"})
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1
    assert "?page=2" in first.text


def test_supervisor_sees_a_link_to_the_quarantine_and_an_agent_does_not(acme: Acme) -> None:
    quarantine = reverse("ui:quarantine")
    assert quarantine in client_for(acme.supervisor).get(reverse("ui:tickets")).text
    assert quarantine not in client_for(acme.agent).get(reverse("ui:tickets")).text


# --- Detail -----------------------------------------------------------------------------


def test_ticket_of_another_domain_is_not_found(acme: Acme) -> None:
    globex = make_acme("globex")
    theirs = make_ticket(globex.support)
    # Same number exists nowhere in Acme: a 404, and never Globex's ticket.
    response = client_for(acme.supervisor).get(ticket_url(theirs.number))
    assert response.status_code == 404


def test_invisible_tickets_are_not_found_rather_than_forbidden(acme: Acme) -> None:
    bob = User.objects.create_user(domain=acme.domain, login="bob", password="pw", role=Role.AGENT)
    acme.orders.agent_teams.clear()
    not_my_campaign = make_ticket(acme.orders)
    assigned_to_bob = make_ticket(acme.support, assignee=bob)
    client = client_for(acme.agent)
    assert client.get(ticket_url(not_my_campaign.number)).status_code == 404
    assert client.get(ticket_url(assigned_to_bob.number)).status_code == 404
    assert client.get(ticket_url(999999)).status_code == 404


def test_thread_shows_every_message_in_order_with_its_headers(acme: Acme) -> None:
    ticket = make_ticket(acme.support, subject="Colis perdu")
    add_message(
        ticket, text="Premier message\nligne deux", cc=[{"name": "", "email": "cc@client.test"}]
    )
    add_message(
        ticket,
        direction=Direction.OUTBOUND,
        text="Réponse du support",
        from_email="support@acme.test",
        from_name="Support",
        delivery_state="failed",
        delivery_error="550 mailbox unavailable",
    )
    add_message(ticket, direction=Direction.NOTE, text="Rappeler demain", author=acme.agent)
    page = client_for(acme.agent).get(ticket_url(ticket.number)).text
    assert (
        page.index("Premier message")
        < page.index("Réponse du support")
        < page.index("Rappeler demain")
    )
    assert "Premier message\nligne deux" in page
    assert "cc@client.test" in page
    assert "Claire Client &lt;claire@client.test&gt;" in page
    assert "Support &lt;support@acme.test&gt;" in page
    assert "Échec" in page and "550 mailbox unavailable" in page
    assert "Note interne" in page and "Envoyé" not in page


def test_html_body_is_shown_sanitised_and_a_script_never_reaches_the_page(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    add_message(
        ticket,
        html='<p onclick="steal()">Bonjour <b>en gras</b></p><script>alert("x")</script>'
        '<img src="x" onerror="alert(1)">',
    )
    response = client_for(acme.agent).get(ticket_url(ticket.number))
    page = response.text
    assert "<b>en gras</b>" in page
    assert "<script>alert" not in page
    assert "onerror" not in page and "onclick" not in page
    # Scripts from our own files only (htmx, console.js): nothing inline, nothing eval'd.
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_automatic_mail_is_marked_with_its_reason(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    add_message(ticket, is_automatic=True, automatic_reason="Auto-Submitted: auto-replied")
    page = client_for(acme.agent).get(ticket_url(ticket.number)).text
    assert "Courriel automatique" in page
    assert "Auto-Submitted: auto-replied" in page


def test_history_shows_how_a_message_was_threaded(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    add_event(ticket, "message_appended", "matched References header <abc@client.test>")
    page = client_for(acme.agent).get(ticket_url(ticket.number)).text
    assert "Message ajouté" in page
    assert "matched References header &lt;abc@client.test&gt;" in page


def test_detail_lists_the_contacts_other_visible_tickets(acme: Acme) -> None:
    ticket = make_ticket(acme.support, subject="Premier")
    other = make_ticket(acme.support, subject="Deuxième demande")
    make_ticket(acme.support, subject="Autre client", contact_email="marc@pme.test")
    acme.orders.agent_teams.clear()
    hidden = make_ticket(acme.orders, subject="Demande cachée")
    page = client_for(acme.agent).get(ticket_url(ticket.number)).text
    assert f"#{other.number} Deuxième demande" in page
    assert "Autre client" not in page
    assert "Demande cachée" not in page  # orders is not the agent's campaign any more
    supervisor_page = client_for(acme.supervisor).get(ticket_url(ticket.number)).text
    assert f"#{hidden.number} Demande cachée" in supervisor_page


# --- Attachments ------------------------------------------------------------------------


def attach(ticket_message: object, filename: str, content_type: str, content: bytes) -> Attachment:
    digest, name = store_blob(content)
    return Attachment.objects.create(
        domain_id=ticket_message.domain_id,  # type: ignore[attr-defined]
        message=ticket_message,
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=digest,
        storage_name=name,
    )


def test_attachment_is_listed_and_downloads_with_safe_headers(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    attachment = attach(add_message(ticket), "facture été.pdf", "application/pdf", b"%PDF-1.4 x")
    client = client_for(acme.agent)
    page = client.get(ticket_url(ticket.number)).text
    url = reverse("ui:attachment", args=[ticket.number, attachment.pk])
    assert url in page and "facture été.pdf" in page
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4 x"
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == "attachment; filename*=utf-8''facture%20%C3%A9t%C3%A9.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_html_and_svg_attachments_are_always_downloaded_never_shown(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    message = add_message(ticket)
    html = attach(message, 'page"\r\n.html', "text/html", b"<script>alert(1)</script>")
    svg = attach(message, "logo.svg", "image/svg+xml", b"<svg onload='alert(1)'/>")
    client = client_for(acme.agent)
    for attachment in (html, svg):
        response = client.get(reverse("ui:attachment", args=[ticket.number, attachment.pk]))
        assert response["Content-Disposition"].startswith("attachment;")
        assert "\n" not in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


def test_attachment_of_an_invisible_ticket_is_not_found(acme: Acme) -> None:
    globex = make_acme("globex")
    theirs = make_ticket(globex.support)
    ours = make_ticket(acme.support)
    their_file = attach(add_message(theirs), "secret.txt", "text/plain", b"secret")
    client = client_for(acme.supervisor)
    # Their attachment id under our ticket number, and under theirs: both not found.
    assert (
        client.get(reverse("ui:attachment", args=[ours.number, their_file.pk])).status_code == 404
    )
    assert (
        client.get(reverse("ui:attachment", args=[theirs.number, their_file.pk])).status_code == 404
    )
