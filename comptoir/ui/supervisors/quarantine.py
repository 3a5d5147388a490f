"""Mail that could not be filed in a ticket, for supervisors to look at (SPEC §3)."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from comptoir.tickets.models import RawMessage, RawState
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.downloads import download_response

PAGE_SIZE = 50


def quarantined_messages(request: HttpRequest) -> QuerySet[RawMessage]:
    """The domain's quarantine; a 404 for users who may not supervise, as if it did not exist."""
    user = current_user(request)
    if not user.can_supervise:
        raise Http404
    return RawMessage.objects.filter(domain_id=user.domain_id, state=RawState.QUARANTINED)


@login_required_in_domain
@require_GET
def quarantine_list(request: HttpRequest) -> HttpResponse:
    # `defer`: the list never needs the raw bytes, which may be megabytes per row.
    rows = quarantined_messages(request).defer("content").order_by("-received_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ui/quarantine.html", {"page": page})


@login_required_in_domain
@require_GET
def quarantine_download(request: HttpRequest, raw_id: int) -> HttpResponse:
    raw = get_object_or_404(quarantined_messages(request), pk=raw_id)
    return download_response(
        bytes(raw.content), filename=f"quarantine-{raw.pk}.eml", content_type="message/rfc822"
    )
