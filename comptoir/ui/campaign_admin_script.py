"""The campaign editor's Qualification tab: the script's outcomes and questions, their order,
and copying another campaign's script (versioning rules: campaigns.script_actions)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comptoir.campaigns import script_actions
from comptoir.campaigns.models import Campaign
from comptoir.ui.auth import current_user
from comptoir.ui.campaign_admin import managed_campaign, manager_required, refused, tab_page
from comptoir.ui.campaign_admin_forms import CopyScriptForm, OutcomeForm, QuestionForm

# Both forms are on one page: distinct element ids (the field names stay as they are).
OUTCOME_IDS, QUESTION_IDS = "outcome_%s", "question_%s"


def script_page(
    request: HttpRequest, campaign: Campaign, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "outcomes": campaign.qualification_outcomes.all(),
        "questions": campaign.qualification_fields.all(),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(auto_id=OUTCOME_IDS),
        "question_form": forms.get("question_form") or QuestionForm(auto_id=QUESTION_IDS),
        "copy_form": CopyScriptForm(campaign=campaign),
        # The row whose change was refused: the form below shows it, and saves it again.
        "failed_id": forms.get("failed_id"),
        "failed_question_id": forms.get("failed_question_id"),
    }
    return tab_page(request, campaign, "qualification", context, status)


@manager_required
@require_GET
def qualification(request: HttpRequest, slug: str) -> HttpResponse:
    return script_page(request, managed_campaign(request, slug))


def back(campaign: Campaign) -> HttpResponse:
    return redirect("ui:manage_qualification", campaign.slug)


@manager_required
@require_POST
def outcome_save(request: HttpRequest, slug: str, outcome_id: int | None = None) -> HttpResponse:
    """Add (no id) or change an outcome."""
    campaign = managed_campaign(request, slug)
    outcome = None
    if outcome_id is not None:
        outcome = get_object_or_404(campaign.qualification_outcomes, pk=outcome_id)
    form = OutcomeForm(request.POST, auto_id=OUTCOME_IDS)
    if form.is_valid():
        try:
            script_actions.save_outcome(
                campaign, outcome, **form.cleaned_data, by=current_user(request)
            )
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The outcome is saved."))
            return back(campaign)
    return script_page(request, campaign, 400, outcome_form=form, failed_id=outcome_id)


@manager_required
@require_POST
def outcome_move(request: HttpRequest, slug: str, outcome_id: int) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    outcome = get_object_or_404(campaign.qualification_outcomes, pk=outcome_id)
    up = request.POST.get("direction") == "up"
    script_actions.move_outcome(outcome, up=up, by=current_user(request))
    return back(campaign)


@manager_required
@require_POST
def outcome_remove(request: HttpRequest, slug: str, outcome_id: int) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    outcome = get_object_or_404(campaign.qualification_outcomes, pk=outcome_id)
    try:
        script_actions.delete_outcome(outcome, by=current_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The outcome is removed."))
    return back(campaign)


@manager_required
@require_POST
def question_save(request: HttpRequest, slug: str, question_id: int | None = None) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    question = None
    if question_id is not None:
        question = get_object_or_404(campaign.qualification_fields, pk=question_id)
    form = QuestionForm(request.POST, auto_id=QUESTION_IDS)
    if form.is_valid():
        data = {**form.cleaned_data, "choices": form.cleaned_data["choices"].splitlines()}
        try:
            script_actions.save_field(campaign, question, **data, by=current_user(request))
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(request, _("The question is saved."))
            return back(campaign)
    return script_page(request, campaign, 400, question_form=form, failed_question_id=question_id)


@manager_required
@require_POST
def question_move(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    question = get_object_or_404(campaign.qualification_fields, pk=question_id)
    up = request.POST.get("direction") == "up"
    script_actions.move_field(question, up=up, by=current_user(request))
    return back(campaign)


@manager_required
@require_POST
def question_remove(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    question = get_object_or_404(campaign.qualification_fields, pk=question_id)
    script_actions.delete_field(question, by=current_user(request))
    messages.success(request, _("The question is removed."))
    return back(campaign)


@manager_required
@require_POST
def copy_script(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    form = CopyScriptForm(request.POST, campaign=campaign)
    if form.is_valid():
        source = get_object_or_404(
            Campaign, domain_id=campaign.domain_id, pk=form.cleaned_data["source"]
        )
        try:
            script_actions.copy_script(source, campaign, by=current_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The script of %(name)s is copied.") % {"name": source})
    else:
        messages.error(request, _("Choose another campaign of this domain."))
    return back(campaign)
