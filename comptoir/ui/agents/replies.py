"""The agent's actions on a ticket page: reply to the customer, add an internal note.

POST, then redirect back to the ticket (POST/redirect/GET) with a message; a form with
errors renders the ticket page again with what the agent typed. The state changes are
tickets.outbound's `reply` and `add_note`, which check the user's rights themselves.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.outbound import ReplyError, add_note, reply
from comptoir.ui.agents.forms import NoteForm, ReplyForm
from comptoir.ui.agents.tickets import detail_response, visible_ticket
from comptoir.ui.agents.visibility import may_act_on
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.errors import Refused


def actionable_ticket(request: HttpRequest, number: int) -> Ticket:
    """The ticket: 404 when the user may not see it, 403 when they may see but not act."""
    user = current_user(request)
    ticket = visible_ticket(request, number)
    if may_act_on(user, ticket):
        return ticket
    if ticket.assignee_id is not None and ticket.assignee_id != user.pk:
        raise Refused(_("This ticket is assigned to another agent."))
    raise Refused(_("You may not reply to this ticket nor add a note to it."))


def back_to(message: Message, ticket: Ticket) -> HttpResponse:
    return redirect(reverse("ui:ticket", args=[ticket.number]) + f"#message-{message.pk}")


def queue_reply(request: HttpRequest, ticket: Ticket, form: ReplyForm) -> Message | None:
    """Queue the reply the form holds (with a success message); None when the form or the
    reply has an error, which the form then shows."""
    if form.is_valid():
        try:
            message = reply(
                ticket,
                author=current_user(request),
                text=form.cleaned_data["text"],
                cc=form.cleaned_data["cc"],
                attachments=form.outgoing_attachments(),
            )
        except ReplyError as error:
            if error.field:  # e.g. too many recipients: said next to the Cc field
                form.add_error(error.field, str(error))
            else:
                reason = {"reason": error}
                form.add_error(None, _("The reply could not be queued: %(reason)s") % reason)
        else:
            messages.success(request, _("Your reply is queued; it will be sent in a moment."))
            return message
    if request.FILES:
        # A browser never fills a file field again: say so rather than drop files silently.
        form.add_error(None, _("Files are not kept when the form has an error: attach them again."))
    return None


def save_note(request: HttpRequest, ticket: Ticket, form: NoteForm) -> Message | None:
    """Add the note the form holds; None when it has an error, which the form shows."""
    if form.is_valid():
        try:
            note = add_note(ticket, author=current_user(request), text=form.cleaned_data["text"])
        except ReplyError as error:
            form.add_error(None, _("The note could not be saved: %(reason)s") % {"reason": error})
        else:
            messages.success(request, _("Note added."))
            return note
    return None


@login_required_in_domain
@require_POST
def ticket_reply(request: HttpRequest, number: int) -> HttpResponse:
    ticket = actionable_ticket(request, number)
    form = ReplyForm(request.POST, request.FILES)
    message = queue_reply(request, ticket, form)
    if message is not None:
        return back_to(message, ticket)
    return detail_response(request, ticket, reply_form=form, note_form=NoteForm())


@login_required_in_domain
@require_POST
def ticket_note(request: HttpRequest, number: int) -> HttpResponse:
    ticket = actionable_ticket(request, number)
    form = NoteForm(request.POST)
    note = save_note(request, ticket, form)
    if note is not None:
        return back_to(note, ticket)
    return detail_response(request, ticket, reply_form=ReplyForm(), note_form=form)
