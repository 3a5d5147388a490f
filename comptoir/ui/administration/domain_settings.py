"""The domain's settings page (/manage/domain/): what the operator set for the domain, shown
read-only to its administrators: its web addresses and its mail domains (the only ones its
campaigns may receive mail on and send from; operators change them with `comptoir
mail-domain`). For those who manage campaigns (403 otherwise), like every page under
/manage/."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from comptoir.tenancy.links import domain_address
from comptoir.ui.common.access import campaign_managers_only, current_user
from comptoir.ui.common.pages import render_page


@campaign_managers_only
@require_GET
def domain_settings(request: HttpRequest) -> HttpResponse:
    domain = current_user(request).domain
    context = {
        "domain": domain,
        "address": domain_address(domain),
        "hostnames": domain.hostnames.order_by("hostname"),
        "mail_domains": domain.mail_domains.order_by("name"),
    }
    return render_page(request, "ui/manage/domain_settings.html", context)
