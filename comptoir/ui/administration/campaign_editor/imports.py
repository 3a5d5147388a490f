"""A campaign's import history (SPEC §5): the list, the upload form, each import's progress,
its error report, cancel and re-run. The worker runs the imports (comptoir.imports.runner)."""

import csv
import io
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.campaigns.models import Campaign
from comptoir.imports.actions import ImportRefused, cancel_import, create_import, rerun_import
from comptoir.imports.contacts import CsvError
from comptoir.imports.models import ImportJob, ImportKind
from comptoir.ui.account.login import current_user, login_required_in_domain
from comptoir.ui.common.downloads import download_response, safe_filename
from comptoir.ui.common.pages import is_htmx, with_csp

HISTORY_LENGTH = 100


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=ImportKind.choices,
        initial=ImportKind.MAIL,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Mail: an mbox, an .eml file, or a zip of .eml files, mbox files or a Maildir. "
            "Archived messages never get the automatic reply. Contacts: a UTF-8 CSV file whose "
            "header names an email column (name, language and other columns are optional)."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.COMPTOIR_IMPORT_MAX_FILE_SIZE
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
            )
        return upload


def managed_campaign(request: HttpRequest, slug: str) -> Campaign:
    """The campaign of the user's domain; 403 without the right, 404 for other domains."""
    user = current_user(request)
    if not user.can_manage_campaigns:
        raise PermissionDenied
    return get_object_or_404(Campaign, domain_id=user.domain_id, slug=slug)


def campaign_import(request: HttpRequest, slug: str, import_id: int) -> ImportJob:
    campaign = managed_campaign(request, slug)
    return get_object_or_404(
        ImportJob.objects.select_related("created_by"),
        domain_id=campaign.domain_id,
        campaign=campaign,
        pk=import_id,
    )


@login_required_in_domain
@require_http_methods(["GET", "POST"])
def import_history(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = managed_campaign(request, slug)
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid() and queue(request, campaign, form):
            return redirect("ui:imports", slug=campaign.slug)
    jobs = ImportJob.objects.filter(domain_id=campaign.domain_id, campaign=campaign)
    context = {
        "campaign": campaign,
        "form": form,
        "retention_days": settings.COMPTOIR_IMPORT_RETENTION_DAYS,
        "jobs": jobs.select_related("created_by").order_by("-created_at", "-id")[:HISTORY_LENGTH],
    }
    return with_csp(render(request, "ui/manage/imports.html", context))


def queue(request: HttpRequest, campaign: Campaign, form: ImportForm) -> bool:
    upload = form.cleaned_data["file"]
    try:
        create_import(
            campaign=campaign,
            user=current_user(request),
            kind=form.cleaned_data["kind"],
            filename=safe_filename(upload.name or "", "upload"),
            content=upload,
        )
    except CsvError as exc:
        form.add_error("file", _("This CSV file is refused: %(reason)s.") % {"reason": exc})
        return False
    messages.success(request, _("The file is queued: the import starts in a moment."))
    return True


@login_required_in_domain
@require_GET
def import_progress(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    """One row of the history; htmx asks for it every 2 s while the import runs."""
    job = campaign_import(request, slug, import_id)
    context = {"campaign": job.campaign, "job": job}
    if not is_htmx(request):
        return redirect("ui:imports", slug=slug)
    return with_csp(render(request, "ui/manage/import_row.html", context))


@login_required_in_domain
@require_GET
def import_errors(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    """The error report as CSV: which message or row, and why, in the language of who started
    the import (the reasons were written in it)."""
    job = campaign_import(request, slug, import_id)
    out = io.StringIO()
    writer = csv.writer(out)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        writer.writerow([gettext("item"), gettext("reason")])
    for error in job.errors:
        writer.writerow([spreadsheet_safe(error["item"]), spreadsheet_safe(error["reason"])])
    if job.last_error:
        writer.writerow(["", spreadsheet_safe(job.last_error)])
    return download_response(
        out.getvalue().encode("utf-8-sig"),
        filename=f"import-{job.pk}-errors.csv",
        content_type="text/csv",
    )


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required_in_domain
@require_POST
def import_cancel(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    """Stop a queued or running import at its next chunk; what was imported stays."""
    job = campaign_import(request, slug, import_id)
    if cancel_import(job):
        messages.success(request, _("The import is cancelled: it stops after its current chunk."))
    else:
        messages.error(request, _("This import cannot be cancelled: it has ended."))
    return redirect("ui:imports", slug=slug)


@login_required_in_domain
@require_POST
def import_rerun(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    """Import the same file again, as a new entry of the history."""
    job = campaign_import(request, slug, import_id)
    try:
        rerun_import(job, user=current_user(request))
    except ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "The file is queued again: what was imported before counts as duplicates "
                "(contacts as updates)."
            ),
        )
    return redirect("ui:imports", slug=slug)
