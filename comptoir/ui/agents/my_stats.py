"""The agent's "Mes statistiques" page (supervision.my_stats): their own figures today and
this week; nobody else's."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from comptoir.supervision.my_stats import my_stats
from comptoir.ui.common.access import current_user, right_required
from comptoir.ui.common.pages import render_page


@right_required("can_process")
@require_GET
def my_stats_page(request: HttpRequest) -> HttpResponse:
    stats = my_stats(current_user(request), now=timezone.now())
    return render_page(request, "ui/my_stats.html", {"stats": stats})
