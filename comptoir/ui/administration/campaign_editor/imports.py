"""The campaign editor's Import history tab (SPEC §5): the upload form, the list, each import's
progress, its error report, cancel and re-run. The worker runs the imports
(comptoir.imports.runner). For those who may manage campaigns (403 otherwise)."""

import csv
import io

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.campaigns.models import Campaign
from comptoir.imports.actions import ImportRefused, cancel_import, create_import, rerun_import
from comptoir.imports.contacts import CsvError
from comptoir.imports.models import ImportJob
from comptoir.ui.administration.campaign_editor.forms import ImportForm
from comptoir.ui.administration.campaign_editor.tabs import tab_page
from comptoir.ui.common.access import campaign_managers_only, current_user, managed_campaign
from comptoir.ui.common.downloads import download_response, safe_filename
from comptoir.ui.common.pages import is_htmx, render_page

HISTORY_LENGTH = 100


def campaign_import(request: HttpRequest, slug: str, import_id: int) -> ImportJob:
    campaign = managed_campaign(request, slug)
    return get_object_or_404(
        ImportJob.objects.select_related("created_by"),
        domain_id=campaign.domain_id,
        campaign=campaign,
        pk=import_id,
    )


@campaign_managers_only
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
        "form": form,
        "retention_days": settings.COMPTOIR_IMPORT_RETENTION_DAYS,
        "jobs": jobs.select_related("created_by").order_by("-created_at", "-id")[:HISTORY_LENGTH],
    }
    return tab_page(request, campaign, "history", context, template="ui/manage/imports.html")


@campaign_managers_only
@require_GET
def old_history_address(request: HttpRequest, slug: str) -> HttpResponse:
    """The Import history tab's former page (…/history/) is this one now (…/imports/)."""
    return redirect("ui:imports", slug=managed_campaign(request, slug).slug, permanent=True)


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


@campaign_managers_only
@require_GET
def import_progress(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    """One row of the history; htmx asks for it every 2 s while the import runs."""
    job = campaign_import(request, slug, import_id)
    context = {"campaign": job.campaign, "job": job}
    if not is_htmx(request):
        return redirect("ui:imports", slug=slug)
    return render_page(request, "ui/manage/import_row.html", context)


@campaign_managers_only
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


@campaign_managers_only
@require_POST
def import_cancel(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    """Stop a queued or running import at its next chunk; what was imported stays."""
    job = campaign_import(request, slug, import_id)
    if cancel_import(job):
        messages.success(request, _("The import is cancelled: it stops after its current chunk."))
    else:
        messages.error(request, _("This import cannot be cancelled: it has ended."))
    return redirect("ui:imports", slug=slug)


@campaign_managers_only
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
