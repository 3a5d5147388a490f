"""The campaign editor's frame: its tabs, one URL each under /manage/campaigns/<slug>/."""

from typing import Any

from django.http import HttpRequest, HttpResponse

from comptoir.campaigns.models import Campaign
from comptoir.ui.common.pages import render_page

TABS = ("info", "advanced", "icon", "qualification", "history")


def tab_page(
    request: HttpRequest,
    campaign: Campaign,
    tab: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    template: str = "",
) -> HttpResponse:
    """A page of the editor, its tab marked current; `template` defaults to the tab's own."""
    context = {"campaign": campaign, "tab": tab, "tabs": TABS, **context}
    return render_page(request, template or f"ui/manage/{tab}.html", context, status)
