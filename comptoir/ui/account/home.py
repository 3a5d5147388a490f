"""Accueil: the home page, whose entries follow the words of the product's guide ("Créer une
nouvelle campagne", "Exploiter les campagnes", "Gestion du domaine > Gérer les équipes"); each
entry shows only to those who have the right it needs."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from comptoir.tenancy.models import User
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.pages import render_page


@dataclass(frozen=True)
class Entry:
    key: str  # the test id, and the URL name in the ui namespace
    label: str | Promise
    help: str | Promise
    rights: tuple[str, ...]  # any one of them shows the entry


ENTRIES = (
    Entry(
        "manage_campaign_create",
        _("Create a new campaign"),
        _("A ticket campaign: its addresses, teams, templates and planning."),
        ("can_manage_campaigns",),
    ),
    Entry(
        "campaigns",
        _("Run the campaigns"),
        _("The campaigns of your teams: process their tickets, edit them."),
        ("can_process", "can_supervise", "can_manage_campaigns"),
    ),
    Entry(
        "board",
        _("Supervision board"),
        _("Your campaigns live: what waits, who processes what, today's numbers."),
        ("can_supervise",),
    ),
    Entry("my_tickets", _("My tickets"), _("The tickets assigned to you."), ("can_process",)),
    Entry("tickets", _("Tickets"), _("Every ticket you may see, with search."), ()),
    Entry(
        "flagged",
        _("Flagged tickets"),
        _("Tickets at their maximum attempts: decide what becomes of them."),
        ("can_supervise",),
    ),
    Entry(
        "teams",
        _("Manage the teams"),
        _("Group the users in teams, then give the teams to campaigns."),
        ("can_manage_users",),
    ),
    Entry("users", _("Users"), _("Create users and invite them."), ("can_manage_users",)),
    Entry(
        "manage_domain",
        _("Domain settings"),
        _("Mail domains, mailboxes, time zone."),
        ("can_manage_campaigns",),
    ),
)


def entries_for(user: User) -> list[dict[str, object]]:
    shown = [e for e in ENTRIES if not e.rights or any(getattr(user, r) for r in e.rights)]
    return [
        {"key": e.key, "label": e.label, "help": e.help, "url": reverse(f"ui:{e.key}")}
        for e in shown
    ]


@login_required_in_domain
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    entries = entries_for(current_user(request))
    return render_page(request, "ui/home.html", {"entries": entries})
