"""The agent's console: one processing (the ticket play served, locked to the agent), its
thread, the reply composer, the qualification form; "Qualify and next", "Pause" and the
heartbeat that keeps the lock while the page is open.

With htmx, "Qualify and next" swaps the console's main area for the next ticket and pushes
its URL; without JavaScript every form still works by POST and redirect.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comptoir.distribution.actions import (
    PlayError,
    claim_next_ticket,
    heartbeat,
    idle_seconds,
    idle_warning_seconds,
    qualify,
    release,
)
from comptoir.distribution.models import EndReason, Processing
from comptoir.scripts.answers import QualificationError
from comptoir.scripts.frozen import script_for
from comptoir.supervision import states
from comptoir.tickets.access import may_open
from comptoir.tickets.models import Direction, Message, Ticket
from comptoir.tickets.outbound import template_text
from comptoir.ui.agents.campaigns import nothing_to_play
from comptoir.ui.agents.forms import NoteForm, ReplyForm
from comptoir.ui.agents.panels import assignment_context
from comptoir.ui.agents.pauses import chosen_reason, pause_context, pause_menu
from comptoir.ui.agents.qualification_form import QualificationForm
from comptoir.ui.agents.replies import queue_reply, save_note
from comptoir.ui.agents.tickets import chosen_template, composer_context, thread_context
from comptoir.ui.agents.visibility import may_act_on
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.forms import error_message
from comptoir.ui.common.pages import is_htmx, render_page


def own_processing(request: HttpRequest, processing_id: int) -> Processing:
    """One of the user's own processings, else 404."""
    user = current_user(request)
    return get_object_or_404(
        Processing.objects.select_related("campaign__domain", "agent"),
        pk=processing_id,
        agent=user,
        domain_id=user.domain_id,
    )


def last_inbound_id(ticket: Ticket) -> int:
    """The newest customer message the console shows: the heartbeat reports later ones."""
    inbound = Message.objects.filter(
        domain_id=ticket.domain_id, ticket=ticket, direction=Direction.INBOUND
    )
    return inbound.order_by("-id").values_list("id", flat=True).first() or 0


def heartbeat_seconds() -> int:
    """How often the open console beats: a third of the lock's life, and at least every 30 s
    so that a customer's new message shows up in the console quickly (one small query); often
    enough, too, that the idle warning shows at least twice before the release."""
    beat = max(10, min(30, int(settings.COMPTOIR_LOCK_SECONDS) // 3))
    warning = idle_warning_seconds()
    return max(1, min(beat, warning // 2)) if warning else beat


def idle_since(request: HttpRequest, now: datetime) -> datetime | None:
    """When the agent last did something on the page: the beat's `idle` seconds (console.js);
    None without it (no script: the beat then only renews the lock)."""
    idle = request.POST.get("idle", "")
    if not (idle.isascii() and idle.isdecimal() and len(idle) < 10):
        return None
    return now - timedelta(seconds=int(idle))


def idle_left(last_activity: datetime | None, now: datetime) -> int:
    """Seconds before the idle release when the warning should show, else 0."""
    limit, warning = idle_seconds(), idle_warning_seconds()
    if not limit or last_activity is None:
        return 0
    left = limit - int((now - last_activity).total_seconds())
    return max(1, left) if left <= warning else 0


def console_response(
    request: HttpRequest,
    processing: Processing,
    *,
    reply_form: ReplyForm | None = None,
    note_form: NoteForm | None = None,
    qualification_form: QualificationForm | None = None,
    fragment: bool = False,
    done: str = "",
) -> HttpResponse:
    """The console page, or only its main area (`fragment`, for htmx)."""
    ticket = get_object_or_404(
        Ticket.objects.select_related("contact", "campaign", "assignee"), pk=processing.ticket_id
    )
    url = reverse("ui:process", args=[processing.pk])
    context = {
        **ticket_context(request, processing, ticket, reply_form=reply_form),
        "note_form": note_form or NoteForm(),
        "qualification": qualification_form or QualificationForm(script_for(ticket.campaign)),
        "picker_url": url,
        "page_url": url,
        "reasons": pause_menu(current_user(request)),
        "fragment": fragment,
        "done": done,
    }
    name = "ui/console.html#console" if fragment else "ui/console.html"
    response = render_page(request, name, context)
    if fragment:
        response["HX-Push-Url"] = url
    return response


def ticket_context(
    request: HttpRequest, processing: Processing, ticket: Ticket, *, reply_form: ReplyForm | None
) -> dict[str, object]:
    """The served ticket's part of the console: its thread, assignment, the composer (a
    template chosen in the picker fills an empty reply) and what the heartbeat needs."""
    user = current_user(request)
    may_act = may_act_on(user, ticket)
    template = chosen_template(user, ticket, request.GET.get("template", "")) if may_act else None
    if reply_form is None:
        initial = {"text": template_text(template, ticket, user)[1]} if template else {}
        reply_form = ReplyForm(initial=initial)
    return {
        **thread_context(user, ticket),
        **assignment_context(user, ticket),
        "processing": processing,
        "campaign": processing.campaign,
        **composer_context(user, ticket, template, may_act=may_act),
        "reply_form": reply_form,
        "reply_url": reverse("ui:console_reply", args=[processing.pk]),
        "note_url": reverse("ui:console_note", args=[processing.pk]),
        "heartbeat_seconds": heartbeat_seconds(),
        "seen": last_inbound_id(ticket),
    }


@login_required_in_domain
@require_GET
def process(request: HttpRequest, processing_id: int) -> HttpResponse:
    processing = own_processing(request, processing_id)
    if processing.ended_at is not None:
        if states.presence_of(current_user(request), now=timezone.now()).forced:
            return redirect("ui:paused")  # a supervisor took it back: why, there
        messages.info(request, _("This processing is over; press play for the next ticket."))
        return redirect("ui:campaigns")
    if not may_open(current_user(request), processing.ticket):
        messages.info(request, _("This ticket was given to someone else."))
        return redirect("ui:campaigns")
    return console_response(request, processing)


def live_processing(request: HttpRequest, processing_id: int) -> Processing | None:
    processing = own_processing(request, processing_id)
    return processing if processing.ended_at is None else None


@login_required_in_domain
@require_POST
def console_reply(request: HttpRequest, processing_id: int) -> HttpResponse:
    processing = live_processing(request, processing_id)
    if processing is None:
        return redirect("ui:process", processing_id)
    form = ReplyForm(request.POST, request.FILES)
    message = queue_reply(request, processing.ticket, form)
    if message is not None:
        return redirect(reverse("ui:process", args=[processing.pk]) + f"#message-{message.pk}")
    return console_response(request, processing, reply_form=form)


@login_required_in_domain
@require_POST
def console_note(request: HttpRequest, processing_id: int) -> HttpResponse:
    processing = live_processing(request, processing_id)
    if processing is None:
        return redirect("ui:process", processing_id)
    form = NoteForm(request.POST)
    note = save_note(request, processing.ticket, form)
    if note is not None:
        return redirect(reverse("ui:process", args=[processing.pk]) + f"#message-{note.pk}")
    return console_response(request, processing, note_form=form)


@login_required_in_domain
@require_POST
def qualify_next(request: HttpRequest, processing_id: int) -> HttpResponse:
    """Qualify the processing, then serve the next ticket of the campaign."""
    processing = own_processing(request, processing_id)
    user = current_user(request)
    form = QualificationForm(script_for(processing.campaign), request.POST)
    # A date typed without a zone is in the domain's time zone, as every date shown.
    with timezone.override(ZoneInfo(user.domain.time_zone)):
        valid = form.is_valid()
    if valid:
        # One clock for both: the agent goes from this ticket to the next with no moment
        # "available" in between (supervision.states).
        now = timezone.now()
        try:
            outcome, reopen_at = form.cleaned_data["outcome"], form.chosen_reopen_at()
            answers = form.answers()
            qualify(processing, outcome=outcome, answers=answers, reopen_at=reopen_at, now=now)
        except QualificationError as error:
            form.add_core_errors(error.errors)
        except PlayError as error:
            form.add_error(None, str(error))
        else:
            return next_ticket(request, processing, now)
    fragment = is_htmx(request)
    return console_response(request, processing, qualification_form=form, fragment=fragment)


def next_ticket(request: HttpRequest, qualified: Processing, now: datetime) -> HttpResponse:
    done = _("Ticket #%(number)s qualified: %(outcome)s.") % {
        "number": qualified.ticket.number,
        "outcome": qualified.outcome_label,
    }
    campaign = qualified.campaign
    served = claim_next_ticket(current_user(request), campaign, now=now)
    fragment = is_htmx(request)
    if served.processing is None:
        return nothing_to_play(request, campaign, served, fragment=fragment, done=done)
    if fragment:
        return console_response(request, served.processing, fragment=True, done=done)
    messages.success(request, done)
    return redirect("ui:process", served.processing.pk)


@login_required_in_domain
@require_POST
def pause(request: HttpRequest, processing_id: int) -> HttpResponse:
    """Stop processing with the reason chosen: the ticket goes back (release), the agent
    to the pause page."""
    processing = own_processing(request, processing_id)
    if processing.ended_at is None:
        try:
            release(processing, reason=chosen_reason(request))
        except ValidationError as error:
            error_message(request, error)
            return redirect("ui:process", processing.pk)
        except PlayError as error:
            messages.error(request, str(error))
            return redirect("ui:campaigns")
        messages.info(request, _("Paused. The ticket went back to the queue."))
    return redirect("ui:paused")


@login_required_in_domain
@require_POST
def console_heartbeat(request: HttpRequest, processing_id: int) -> HttpResponse:
    """The open console keeps its lock; it learns whether the customer wrote meanwhile."""
    processing = own_processing(request, processing_id)
    now = timezone.now()
    last_activity = idle_since(request, now)
    alive = heartbeat(processing, now=now, last_activity=last_activity)
    processing.refresh_from_db(fields=["ended_at", "end_reason"])
    user = current_user(request)
    presence = None if alive else states.presence_of(user, now=now)
    forced = presence is not None and presence.forced
    idle_released = not alive and not forced and processing.end_reason == EndReason.RELEASED
    seen = request.POST.get("seen", "")
    seen_id = int(seen) if seen.isascii() and seen.isdecimal() and len(seen) < 19 else 0
    newer = Message.objects.filter(
        domain_id=processing.domain_id,
        ticket_id=processing.ticket_id,
        direction=Direction.INBOUND,
        is_automatic=False,
        id__gt=seen_id,
    ).count()
    context = {
        **(pause_context(user, presence) if presence is not None and forced else {}),
        "forced": forced,
        "processing": processing,
        "lost": not alive,
        "idle_released": idle_released,
        "idle_minutes": max(1, round(idle_seconds() / 60)),
        "idle_left": idle_left(last_activity, now) if alive else 0,
        "new_messages": newer,
        "seen": seen_id,
        "heartbeat_seconds": heartbeat_seconds(),
    }
    return render(request, "ui/console.html#heartbeat", context)
