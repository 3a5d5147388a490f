"""Qualification scripts: the library's scripts (/manage/library/scripts/), each with its
editor and its versions, and the campaign editor's Qualification tab, which chooses the
campaign's script and shows the same editor. Versioning rules: comptoir.scripts.actions.

The editor's forms post to the script's URLs; a hidden `campaign` field (a slug of the user's
domain) brings the user back to that campaign's tab instead of the library."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.campaigns.models import Campaign
from comptoir.scripts import actions as script_actions
from comptoir.scripts.actions import Row
from comptoir.scripts.models import (
    QualificationField,
    QualificationOutcome,
    QualificationScript,
    ScriptVersion,
)
from comptoir.ui.administration.campaign_editor.forms import OutcomeForm, QuestionForm
from comptoir.ui.administration.campaign_editor.script_forms import (
    AssignScriptForm,
    NewScriptForm,
    RenameScriptForm,
)
from comptoir.ui.administration.campaign_editor.tabs import tab_page
from comptoir.ui.common.access import campaign_managers_only, current_user, managed_campaign
from comptoir.ui.common.confirm import confirmation_page
from comptoir.ui.common.forms import save_form_with, show_action_errors
from comptoir.ui.common.pages import render_page

# Both forms are on one page: distinct element ids (the field names stay as they are).
OUTCOME_IDS, QUESTION_IDS = "outcome_%s", "question_%s"


def domain_script(request: HttpRequest, script_id: int) -> QualificationScript:
    domain_id = current_user(request).domain_id
    return get_object_or_404(QualificationScript, domain_id=domain_id, pk=script_id)


def editor_context(script: QualificationScript | None, **forms: Any) -> dict[str, Any]:
    """What the editor (ui/manage/script_editor.html) shows of the script's newest version."""
    if script is None:
        return {"script": None}
    version = script_actions.current_version(script)
    return {
        "script": script,
        "version": version,
        "outcomes": version.outcomes.all(),
        "questions": version.questions.all(),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(auto_id=OUTCOME_IDS),
        "question_form": forms.get("question_form") or QuestionForm(auto_id=QUESTION_IDS),
        # The row whose change was refused: the form below shows it, and saves it again.
        "failed_id": forms.get("failed_id"),
        "failed_question_id": forms.get("failed_question_id"),
        "used_by": script.campaigns.order_by("name"),
    }


def campaign_tab(
    request: HttpRequest, campaign: Campaign, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        **editor_context(campaign.qualification_script, **forms),
        "assign_form": forms.get("assign_form")
        or AssignScriptForm(
            domain_id=campaign.domain_id,
            initial={"script": campaign.qualification_script_id or ""},
        ),
        "new_form": forms.get("new_form") or NewScriptForm(domain_id=campaign.domain_id),
        "back_campaign": campaign,
    }
    return tab_page(request, campaign, "qualification", context, status)


def script_page(
    request: HttpRequest, script: QualificationScript, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        **editor_context(script, **forms),
        "rename_form": forms.get("rename_form") or RenameScriptForm(initial={"name": script.name}),
        "versions": script.versions.select_related("created_by").annotate(
            uses=Count("processings")
        ),
    }
    return render_page(request, "ui/manage/library_script.html", context, status)


# The campaign's tab


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def qualification(request: HttpRequest, slug: str) -> HttpResponse:
    """The tab; its first form chooses the campaign's script (POST)."""
    campaign = managed_campaign(request, slug)
    if request.method == "GET":
        return campaign_tab(request, campaign)
    form = AssignScriptForm(request.POST, domain_id=campaign.domain_id)
    if not form.is_valid():
        return campaign_tab(request, campaign, 400, assign_form=form)
    script = form.cleaned_data["script"]
    script_actions.assign_script(campaign, script, by=current_user(request))
    if script is None:
        messages.success(request, _("The campaign qualifies with the standard outcomes."))
    else:
        messages.success(request, _("The campaign qualifies with %(name)s.") % {"name": script})
    return redirect("ui:manage_qualification", campaign.slug)


@campaign_managers_only
@require_POST
def script_new_for_campaign(request: HttpRequest, slug: str) -> HttpResponse:
    """A new script (empty or a copy of another), used by this campaign from now on."""
    campaign = managed_campaign(request, slug)
    form = NewScriptForm(request.POST, domain_id=campaign.domain_id)
    script = created_script(request, form)
    if script is None:
        return campaign_tab(request, campaign, 400, new_form=form)
    script_actions.assign_script(campaign, script, by=current_user(request))
    return redirect("ui:manage_qualification", campaign.slug)


def created_script(request: HttpRequest, form: NewScriptForm) -> QualificationScript | None:
    """The script the form asks for, created; None when refused (the errors are in the form)."""
    if not form.is_valid():
        return None
    user = current_user(request)
    data = form.cleaned_data
    try:
        script = script_actions.create_script(
            user.domain_id, data["name"], copy_of=data["copy_of"], by=user
        )
    except ValidationError as error:
        show_action_errors(form, error)
        return None
    messages.success(request, _("The script %(name)s is created.") % {"name": script})
    return script


# The library's scripts


def library_scripts(domain_id: int) -> QuerySet[QualificationScript]:
    return (
        QualificationScript.objects.filter(domain_id=domain_id)
        .annotate(version_count=Count("versions", distinct=True))
        .prefetch_related("campaigns")
    )


@campaign_managers_only
@require_GET
def script_list(request: HttpRequest) -> HttpResponse:
    domain_id = current_user(request).domain_id
    context = {
        "scripts": library_scripts(domain_id),
        "new_form": NewScriptForm(domain_id=domain_id),
    }
    return render_page(request, "ui/manage/library_scripts.html", context)


@campaign_managers_only
@require_POST
def script_create(request: HttpRequest) -> HttpResponse:
    domain_id = current_user(request).domain_id
    form = NewScriptForm(request.POST, domain_id=domain_id)
    script = created_script(request, form)
    if script is not None:
        return redirect("ui:manage_script", script.pk)
    context = {"scripts": library_scripts(domain_id), "new_form": form}
    return render_page(request, "ui/manage/library_scripts.html", context, 400)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def script_detail(request: HttpRequest, script_id: int) -> HttpResponse:
    """The script's page; its first form renames the script (POST)."""
    script = domain_script(request, script_id)
    if request.method == "GET":
        return script_page(request, script)
    form = RenameScriptForm(request.POST)
    if save_form_with(
        request,
        form,
        lambda data: script_actions.rename_script(script, data["name"], by=current_user(request)),
        _("The script is renamed."),
    ):
        return redirect("ui:manage_script", script.pk)
    script.refresh_from_db()
    return script_page(request, script, 400, rename_form=form)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def script_remove(request: HttpRequest, script_id: int) -> HttpResponse:
    script = domain_script(request, script_id)
    if request.method == "GET":
        question = _("Remove the script “%(name)s”?") % {"name": script.name}
        back = reverse("ui:manage_script", args=[script.pk])
        return confirmation_page(request, question=question, back=back)
    try:
        script_actions.delete_script(script, by=current_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("ui:manage_script", script.pk)
    messages.success(request, _("The script is removed."))
    return redirect("ui:manage_scripts")


@campaign_managers_only
@require_GET
def script_version(request: HttpRequest, script_id: int, number: int) -> HttpResponse:
    """One version as it is (a past one never changes), with how many processings used it."""
    script = domain_script(request, script_id)
    version = get_object_or_404(ScriptVersion, script=script, number=number)
    context = {
        "script": script,
        "version": version,
        "outcomes": version.outcomes.all(),
        "questions": version.questions.all(),
        "uses": version.processings.count(),
        "newest": script_actions.current_version(script).pk == version.pk,
    }
    return render_page(request, "ui/manage/library_script_version.html", context)


# The editor's actions (from the library or from a campaign's tab)


def back_campaign(request: HttpRequest, script: QualificationScript) -> Campaign | None:
    """The campaign whose tab the form was posted from (of the user's domain), if any."""
    slug = request.POST.get("campaign", "") or request.GET.get("campaign", "")
    if not slug:
        return None
    return get_object_or_404(Campaign, domain_id=script.domain_id, slug=slug)


def back_url(request: HttpRequest, script: QualificationScript) -> str:
    campaign = back_campaign(request, script)
    if campaign is not None:
        return reverse("ui:manage_qualification", args=[campaign.slug]) + "#script"
    return reverse("ui:manage_script", args=[script.pk])


def back(request: HttpRequest, script: QualificationScript) -> HttpResponse:
    return redirect(back_url(request, script))


def row_remove_question(
    request: HttpRequest, script: QualificationScript, row: Row
) -> HttpResponse:
    """The confirmation of row_remove; `?campaign=` (the tab it came from) is posted back."""
    if isinstance(row, QualificationOutcome):
        question = _("Remove the outcome “%(label)s”?") % {"label": row.label}
    else:
        question = _("Remove the question “%(label)s”?") % {"label": row.label}
    campaign = back_campaign(request, script)
    keep = {"campaign": campaign.slug} if campaign is not None else {}
    back_to = back_url(request, script)
    return confirmation_page(request, question=question, back=back_to, keep=keep)


def refused_page(request: HttpRequest, script: QualificationScript, **forms: Any) -> HttpResponse:
    campaign = back_campaign(request, script)
    if campaign is not None and campaign.qualification_script_id == script.pk:
        return campaign_tab(request, campaign, 400, **forms)
    return script_page(request, script, 400, **forms)


def script_outcome(script: QualificationScript, outcome_id: int) -> QualificationOutcome:
    return get_object_or_404(QualificationOutcome, version__script=script, pk=outcome_id)


def script_question(script: QualificationScript, question_id: int) -> QualificationField:
    return get_object_or_404(QualificationField, version__script=script, pk=question_id)


@campaign_managers_only
@require_POST
def outcome_save(
    request: HttpRequest, script_id: int, outcome_id: int | None = None
) -> HttpResponse:
    """Add (no id) or change an outcome."""
    script = domain_script(request, script_id)
    outcome = script_outcome(script, outcome_id) if outcome_id is not None else None
    form = OutcomeForm(request.POST, auto_id=OUTCOME_IDS)
    if save_form_with(
        request,
        form,
        lambda data: script_actions.save_outcome(script, outcome, **data, by=current_user(request)),
        _("The outcome is saved."),
    ):
        return back(request, script)
    return refused_page(request, script, outcome_form=form, failed_id=outcome_id)


@campaign_managers_only
@require_POST
def question_save(
    request: HttpRequest, script_id: int, question_id: int | None = None
) -> HttpResponse:
    script = domain_script(request, script_id)
    question = script_question(script, question_id) if question_id is not None else None
    form = QuestionForm(request.POST, auto_id=QUESTION_IDS)
    if form.is_valid():
        data = {**form.cleaned_data, "choices": form.cleaned_data["choices"].splitlines()}
        try:
            script_actions.save_field(script, question, **data, by=current_user(request))
        except ValidationError as error:
            show_action_errors(form, error)
        else:
            messages.success(request, _("The question is saved."))
            return back(request, script)
    return refused_page(request, script, question_form=form, failed_question_id=question_id)


def script_row(script: QualificationScript, ids: dict[str, int]) -> Row:
    """The outcome (`outcome_id`) or question (`question_id`) of the URL, of this script."""
    if "outcome_id" in ids:
        return script_outcome(script, ids["outcome_id"])
    return script_question(script, ids["question_id"])


@campaign_managers_only
@require_POST
def row_move(request: HttpRequest, script_id: int, **ids: int) -> HttpResponse:
    """An outcome or a question up or down."""
    script = domain_script(request, script_id)
    row = script_row(script, ids)
    up = request.POST.get("direction") == "up"
    try:
        script_actions.move_row(script, row, up=up, by=current_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return back(request, script)


@campaign_managers_only
@require_http_methods(["GET", "POST"])
def row_remove(request: HttpRequest, script_id: int, **ids: int) -> HttpResponse:
    """An outcome (the last final one stays) or a question out of the script."""
    script = domain_script(request, script_id)
    row = script_row(script, ids)
    if request.method == "GET":
        return row_remove_question(request, script, row)
    user = current_user(request)
    try:
        if isinstance(row, QualificationOutcome):
            script_actions.delete_outcome(script, row, by=user)
        else:
            script_actions.delete_field(script, row, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if isinstance(row, QualificationOutcome):
            messages.success(request, _("The outcome is removed."))
        else:
            messages.success(request, _("The question is removed."))
    return back(request, script)
