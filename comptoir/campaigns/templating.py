"""Email templates and signatures: text with `{{ variable }}` placeholders, nothing more.

Deliberately not the Django template language: templates are written by campaign managers,
and `{% include %}`, `{% load %}` or attribute lookups have no place in a customer email.
Errors (an unknown variable, an unclosed `{{`) are found when the template is saved
(`template_errors`, called by EmailTemplate.clean and the editor's form), so that rendering
at reply time can never fail: `render` leaves anything it does not know as it was written.
"""

import re

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.campaigns.models import Campaign, EmailTemplate

# The variables a template may use, with what they hold (shown to the editor).
VARIABLES = {
    "customer_name": gettext_lazy("the customer's name (their address when unknown)"),
    "customer_email": gettext_lazy("the customer's email address"),
    "ticket_number": gettext_lazy("the ticket number"),
    "ticket_subject": gettext_lazy("the ticket's subject"),
    "ticket_date": gettext_lazy("the date the ticket was opened"),
    "agent_name": gettext_lazy("the name of the agent who replies"),
    "campaign_name": gettext_lazy("the campaign's name"),
    "today": gettext_lazy("today's date"),
}

# One greedy run of non-braces between "{{" and "}}", stripped in code: a lazy name between
# two \s* made every unclosed "{{" followed by spaces quadratic in the spaces.
PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")


def template_errors(text: str) -> list[str]:
    """What is wrong with a template, in words for its editor; empty when it is fine."""
    errors = []
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1).strip()
        if name not in VARIABLES:
            errors.append(
                _("Line %(line)d: unknown variable {{ %(name)s }}. Known variables: %(known)s.")
                % {"line": line_of(text, match.start()), "name": name, "known": known_names()}
            )
    rest = PLACEHOLDER.sub(blank, text)
    for token, problem in (
        ("{{", _("“{{” is never closed by “}}”")),
        ("}}", _("“}}” closes nothing")),
        ("{%", _("“{%” tags are not allowed; only {{ variable }} placeholders are")),
    ):
        position = rest.find(token)
        if position >= 0:
            errors.append(
                _("Line %(line)d: %(problem)s.")
                % {"line": line_of(rest, position), "problem": problem}
            )
    return errors


def render(text: str, values: dict[str, str]) -> str:
    """The template with its variables replaced; total: unknown text is left as written."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        return values[name] if name in values else match.group(0)

    return PLACEHOLDER.sub(replace, text)


def blank(match: re.Match[str]) -> str:
    """A placeholder blanked out, newlines kept: what remains keeps its line numbers, and
    no "{{" or "}}" appears where the placeholder's neighbours meet."""
    return re.sub(r"[^\n]", " ", match.group(0))


def line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def known_names() -> str:
    return ", ".join("{{ " + name + " }}" for name in VARIABLES)


def usable_templates(campaign: Campaign) -> QuerySet[EmailTemplate]:
    """The templates a campaign may use: its own and its domain's shared ones, untagged
    first, then by tag (the reply picker's groups) and name. The one list for the reply
    picker, the automatic reply's choice and the actions that check a template's id."""
    return EmailTemplate.objects.filter(
        Q(campaign_id=campaign.pk) | Q(campaign__isnull=True), domain_id=campaign.domain_id
    ).order_by("tag", "name", "id")
