"""The domain's pause reasons (/pause-reasons/): what agents choose from when they pause.
List, add, rename, deactivate or reactivate, reorder, remove (asked first). The right to
manage the domain's users, as the people and teams pages; another domain's reason is 404.
Every change is an action of supervision.pause_reasons, which checks it."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.supervision import pause_reasons as actions
from comptoir.supervision.models import LABEL_LENGTH, PauseReason
from comptoir.ui.common.access import current_user, require_right, user_managers_only
from comptoir.ui.common.confirm import confirmation_page
from comptoir.ui.common.forms import act_and_say, save_form_with
from comptoir.ui.common.pages import GET_POST, render_page


class PauseReasonForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=LABEL_LENGTH)


def managed_reason(request: HttpRequest, pause_reason_id: int) -> PauseReason:
    manager = require_right(request, "can_manage_users")
    return get_object_or_404(PauseReason, domain_id=manager.domain_id, pk=pause_reason_id)


def reasons_page(request: HttpRequest, form: PauseReasonForm | None = None) -> HttpResponse:
    user = current_user(request)
    context = {
        "reasons": actions.pause_reasons(user.domain),
        "form": form or PauseReasonForm(),
    }
    return render_page(request, "ui/people/pause_reasons.html", context, 400 if form else 200)


@user_managers_only
@require_GET
def pause_reason_list(request: HttpRequest) -> HttpResponse:
    return reasons_page(request)


@user_managers_only
@require_POST
def pause_reason_add(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = PauseReasonForm(request.POST)
    if save_form_with(
        request,
        form,
        lambda data: actions.add_pause_reason(user.domain, label=data["label"], by=user),
        _("The pause reason is added."),
    ):
        return redirect("ui:pause_reasons")
    return reasons_page(request, form)


@user_managers_only
@require_http_methods(GET_POST)
def pause_reason_edit(request: HttpRequest, pause_reason_id: int) -> HttpResponse:
    """Rename: the history keeps the label each pause had."""
    reason = managed_reason(request, pause_reason_id)
    user = current_user(request)
    if request.method == "POST":
        form = PauseReasonForm(request.POST)
        if save_form_with(
            request,
            form,
            lambda data: actions.rename_pause_reason(reason, label=data["label"], by=user),
            _("The pause reason is renamed."),
        ):
            return redirect("ui:pause_reasons")
    else:
        form = PauseReasonForm(initial={"label": reason.label})
    context = {"reason": reason, "form": form}
    status = 400 if form.errors else 200
    return render_page(request, "ui/people/pause_reason_form.html", context, status)


@user_managers_only
@require_POST
def pause_reason_active(request: HttpRequest, pause_reason_id: int) -> HttpResponse:
    reason = managed_reason(request, pause_reason_id)
    active = request.POST.get("active") == "1"
    done = _("The reason is offered again.") if active else _("The reason is no longer offered.")
    act_and_say(
        request,
        lambda: actions.set_pause_reason_active(reason, active=active, by=current_user(request)),
        done,
    )
    return redirect("ui:pause_reasons")


@user_managers_only
@require_POST
def pause_reason_move(request: HttpRequest, pause_reason_id: int) -> HttpResponse:
    reason = managed_reason(request, pause_reason_id)
    up = request.POST.get("direction") == "up"
    actions.move_pause_reason(reason, up=up, by=current_user(request))
    return redirect("ui:pause_reasons")


@user_managers_only
@require_http_methods(GET_POST)
def pause_reason_remove(request: HttpRequest, pause_reason_id: int) -> HttpResponse:
    reason = managed_reason(request, pause_reason_id)
    if request.method == "GET":
        question = _("Remove the pause reason “%(label)s”?") % {"label": reason.label}
        detail = _(
            "Agents no longer choose it; the pauses already taken keep it. "
            "To offer it again later, deactivate it instead."
        )
        back = reverse("ui:pause_reasons")
        return confirmation_page(request, question=question, detail=detail, back=back)
    actions.remove_pause_reason(reason, by=current_user(request))
    messages.success(request, _("The pause reason is removed."))
    return redirect("ui:pause_reasons")
