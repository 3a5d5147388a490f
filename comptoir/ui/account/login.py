"""Login and logout, per domain: the host names the domain, or the form asks for it. An agent
who logs out is offline (supervision.states)."""

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from comptoir.supervision.states import leave_play
from comptoir.tenancy.backends import client_address
from comptoir.tenancy.login import log_in
from comptoir.tenancy.models import User
from comptoir.tenancy.throttle import LoginAttempt
from comptoir.tickets.access import supervised_campaigns
from comptoir.ui.account.forms import LoginForm
from comptoir.ui.common.access import current_user, host_domain, signed_in_here


def try_credentials(request: HttpRequest, data: dict[str, str]) -> LoginAttempt:
    """The login action (tenancy.login.log_in) in the host's domain or the one typed."""
    return log_in(
        host_domain(request),
        domain_slug=data.get("domain", ""),
        login=data["login"],
        password=data["password"],
        address=client_address(request),
    )


def next_url(request: HttpRequest, user: User | None = None) -> str:
    """Where to go after login: `next` if it stays on this site, else home: the supervision
    board for whoever supervises a campaign, the campaign list (with its play buttons) for
    whoever processes tickets, the ticket list otherwise. The site's root as `next` (where
    whoever types the bare address comes from) means home."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    home = resolve_url(settings.LOGIN_REDIRECT_URL)
    if wanted != home and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    if user is not None and supervised_campaigns(user).exists():
        return resolve_url("ui:board")
    if user is not None and user.can_process:
        return resolve_url("ui:campaigns")
    return home


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if signed_in_here(request):
        return redirect(next_url(request, current_user(request)))
    domain = host_domain(request)
    form = LoginForm(request.POST or None, ask_domain=domain is None)
    attempt = LoginAttempt(user=None, wait=0)
    if request.method == "POST" and form.is_valid():
        attempt = try_credentials(request, form.cleaned_data)
        if attempt.user is not None:
            auth_login(request, attempt.user)
            return redirect(next_url(request, attempt.user))
    context = {
        "form": form,
        "failed": request.method == "POST" and form.is_valid() and not attempt.wait,
        "wait_seconds": attempt.wait,
        "host_domain": domain,
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    response = render(request, "ui/login.html", context, status=429 if attempt.wait else 200)
    if attempt.wait:
        response["Retry-After"] = str(attempt.wait)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, User) and request.user.is_authenticated:
        leave_play(request.user, now=timezone.now())  # an agent logging out is offline
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
