"""The domain's settings page (/manage/domain/): what the operator set for the domain, shown
read-only to its administrators: its web addresses and its mail domains (the only ones its
campaigns may receive mail on and send from; operators change them with `comptoir
mail-domain`). For those who manage campaigns or users (403 otherwise)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from comptoir.tenancy.links import domain_address
from comptoir.ui.auth import current_user, login_required_in_domain
from comptoir.ui.pages import with_csp


@login_required_in_domain
@require_GET
def domain_settings(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not (user.can_manage_campaigns or user.can_manage_users):
        raise PermissionDenied
    domain = user.domain
    context = {
        "domain": domain,
        "address": domain_address(domain),
        "hostnames": domain.hostnames.order_by("hostname"),
        "mail_domains": domain.mail_domains.order_by("name"),
    }
    return with_csp(render(request, "ui/manage/domain_settings.html", context))
