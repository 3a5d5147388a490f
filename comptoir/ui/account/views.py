"""A user's own account: password change, API tokens; and, before logging in, the links
mailed to set a password (a reset asked for on the domain's address, or an invitation)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.api.actions import create_token, revoke_token
from comptoir.api.models import ApiToken
from comptoir.tenancy import actions
from comptoir.tenancy.links import invitation_tokens, reset_tokens
from comptoir.tenancy.models import Domain, User
from comptoir.tenancy.reset_limit import may_send_reset_email
from comptoir.ui.account.forms import NewPasswordForm, ResetRequestForm, TokenForm
from comptoir.ui.common.access import current_user, host_domain, login_required_in_domain
from comptoir.ui.common.confirm import confirmation_page
from comptoir.ui.common.pages import GET_POST, render_page


@login_required_in_domain
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    tokens = ApiToken.objects.filter(domain_id=me.domain_id, user=me).order_by("-pk")
    context = {"tokens": tokens, "token_form": TokenForm(), "new_key": None}
    return render_page(request, "ui/people/account.html", context)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required_in_domain
@require_http_methods(GET_POST)
def password_change(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    form = PasswordChangeForm(me, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.set_user_password(me, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, me)  # stay logged in here, out everywhere else
        text = _(
            "Your password is changed; your other sessions are closed. Your API tokens still "
            "work: revoke below any you no longer trust."
        )
        messages.success(request, text)
        return redirect("ui:account")
    return render_page(request, "ui/people/password_change.html", {"form": form})


@login_required_in_domain
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    if not me.can_use_api:
        raise PermissionDenied
    form = TokenForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    _token, key = create_token(me, name=name)
    tokens = ApiToken.objects.filter(domain_id=me.domain_id, user=me).order_by("-pk")
    # Shown this once, in this response; never stored nor shown again.
    context = {"tokens": tokens, "token_form": TokenForm(), "new_key": key}
    response = render_page(request, "ui/people/account.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required_in_domain
@require_http_methods(GET_POST)
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    me = current_user(request)
    token = get_object_or_404(ApiToken, domain_id=me.domain_id, user=me, pk=token_id)
    if request.method == "GET":
        return revoke_question(request, token, reverse("ui:account"))
    revoke_token(token)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.key_prefix})
    return redirect("ui:account")


@never_cache
@require_http_methods(GET_POST)
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link; the answer is the same whether the login exists or not."""
    domain = host_domain(request)
    form = ResetRequestForm(request.POST or None, ask_domain=domain is None)
    if request.method == "POST" and form.is_valid():
        domain = domain or Domain.objects.filter(slug=form.cleaned_data["domain"]).first()
        if domain is not None:
            for user in actions.users_for_reset(domain, form.cleaned_data["login_or_email"]):
                # Past the hourly limit nothing is sent, and the answer stays the same.
                if may_send_reset_email(user):
                    actions.queue_password_email(user, invitation=False)
        return render_page(request, "ui/people/password_reset_sent.html")
    return render_page(request, "ui/people/password_reset.html", {"form": form})


def linked_user(request: HttpRequest, uidb64: str) -> User:
    """The user a mailed link names, in the domain of the address it is opened on."""
    domain = host_domain(request)
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        raise Http404 from None
    if domain is None:
        raise Http404
    return get_object_or_404(User, domain=domain, pk=pk, is_active=True)


def set_password_from_link(
    request: HttpRequest, uidb64: str, token: str, *, generator: PasswordResetTokenGenerator
) -> HttpResponse:
    user = linked_user(request, uidb64)
    if not generator.check_token(user, token):
        return render_page(request, "ui/people/link_invalid.html", status=400)
    form = NewPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        actions.reset_user_password(user, form.cleaned_data["password1"])
        messages.success(request, _("Your password is set: log in with it."))
        return redirect("ui:login")
    context = {"form": form, "linked": user, "invitation": generator is invitation_tokens}
    return render_page(request, "ui/people/set_password.html", context)


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(GET_POST)
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    return set_password_from_link(request, uidb64, token, generator=reset_tokens)


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(GET_POST)
def invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    return set_password_from_link(request, uidb64, token, generator=invitation_tokens)


def revoke_question(request: HttpRequest, token: ApiToken, back: str) -> HttpResponse:
    """The confirmation of a token's revocation (the user's own, or by an administrator)."""
    name = f"{token.name} ({token.key_prefix}…)" if token.name else f"{token.key_prefix}…"
    question = _("Revoke the token %(name)s?") % {"name": name}
    detail = _("Programs using it are refused from now on.")
    button = _("Revoke")
    return confirmation_page(request, question=question, detail=detail, back=back, button=button)
