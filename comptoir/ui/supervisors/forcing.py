"""A supervisor forces an agent into a pause or out of play (supervision.states): the GET
asks (who, their state now, the reason to give), the POST acts; the agent's ticket goes back
as a pause, and the agent's console, waiting page or pause page says why.

URLs (namespace ui): `supervision/agents/<agent_id>/pause/` (`force_pause`; POST `reason`:
the id of one of the domain's active pause reasons) and `supervision/agents/<agent_id>/out/`
(`force_out_of_play`; POST `reason`: the text the agent reads). Both take `next` (GET query
or POST field): where to go back, on this site (the board), else the campaigns page.
Another domain's agent: 404; without the right (supervision.states.check_may_force): 403.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from comptoir.supervision import states
from comptoir.supervision.models import AgentState, PauseReason
from comptoir.tenancy.models import User
from comptoir.tickets.access import supervised_campaign_ids
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.forms import show_action_errors
from comptoir.ui.common.pages import GET_POST, render_page


class ForcePauseForm(forms.Form):
    reason = forms.ModelChoiceField(
        queryset=PauseReason.objects.none(),
        label=gettext_lazy("Pause reason (the agent sees it)"),
        empty_label=None,
    )

    def __init__(self, *args: object, domain_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["reason"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = PauseReason.objects.filter(domain_id=domain_id, is_active=True)


class ForceOutForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the agent reads it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=states.MESSAGE_LENGTH,
    )


def may_force_someone(user: User) -> bool:
    """Asked first, so that the URL tells nothing of which users exist to whoever may not.
    The gate of the supervisors' pages (the right, or a seat); which agents: the core's
    check_may_force (a campaign the agent plays that the user supervises)."""
    return user.can_supervise or supervised_campaign_ids(user).exists()


def forced_agent(request: HttpRequest, agent_id: int) -> User:
    user = current_user(request)
    if not may_force_someone(user):
        raise PermissionDenied
    agent = get_object_or_404(User, domain_id=user.domain_id, pk=agent_id)
    states.check_may_force(user, agent)
    return agent


def back_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted and allowed else reverse("ui:campaigns")


def force_page(
    request: HttpRequest, agent: User, form: forms.Form, *, title: str, button: str, status: int
) -> HttpResponse:
    presence = states.current_states([agent.pk], now=timezone.now())[agent.pk]
    context = {
        "agent": agent,
        "presence": presence,
        "state": AgentState(presence.state).label,
        "form": form,
        "title": title,
        "button": button,
        "back": back_url(request),
    }
    return render_page(request, "ui/supervisors/force.html", context, status)


def act(request: HttpRequest, form: forms.Form, force: Callable[[], object], done: str) -> bool:
    """Run the forcing with a valid form: True when done (said), else the errors shown."""
    if not form.is_valid():
        return False
    try:
        force()
    except ValidationError as error:
        show_action_errors(form, error)
        return False
    messages.success(request, done)
    return True


@login_required_in_domain
@require_http_methods(GET_POST)
def force_pause(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent = forced_agent(request, agent_id)
    user = current_user(request)
    data = request.POST if request.method == "POST" else None
    form = ForcePauseForm(data, domain_id=user.domain_id)
    if data is not None:

        def force() -> object:
            reason = form.cleaned_data["reason"]
            return states.force_pause(agent, reason=reason, by=user, now=timezone.now())

        done = _("%(agent)s is paused.") % {"agent": agent}
        if act(request, form, force, done):
            return redirect(back_url(request))
    title = _("Pause %(agent)s?") % {"agent": agent}
    status = 400 if data is not None else 200
    return force_page(request, agent, form, title=title, button=_("Pause"), status=status)


@login_required_in_domain
@require_http_methods(GET_POST)
def force_out_of_play(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent = forced_agent(request, agent_id)
    user = current_user(request)
    data = request.POST if request.method == "POST" else None
    form = ForceOutForm(data)
    if data is not None:

        def force() -> object:
            text = form.cleaned_data["reason"]
            return states.force_out_of_play(agent, reason_text=text, by=user, now=timezone.now())

        done = _("%(agent)s is out of play.") % {"agent": agent}
        if act(request, form, force, done):
            return redirect(back_url(request))
    title = _("Take %(agent)s out of play?") % {"agent": agent}
    status = 400 if data is not None else 200
    button = _("Take out of play")
    return force_page(request, agent, form, title=title, button=button, status=status)
