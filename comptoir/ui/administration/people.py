"""Users of a domain (right `can_manage_users`): list, create, edit, deactivate, passwords and
invitations, other users' API tokens. Users are never deleted: tickets name them."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.api.actions import revoke_token
from comptoir.api.models import ApiToken
from comptoir.tenancy import actions
from comptoir.tenancy.models import AccountEmail, User
from comptoir.tenancy.throttle import recent_failures
from comptoir.ui.account.login import current_user, login_required_in_domain
from comptoir.ui.administration.forms import RIGHT_LABELS, NewPasswordForm, UserForm, user_initial
from comptoir.ui.common.pages import with_csp

GET_POST = ["GET", "POST"]
ACCOUNT_EMAILS_SHOWN = 5


def page(
    request: HttpRequest, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """A page of these screens, with the UI's Content-Security-Policy."""
    return with_csp(render(request, name, context, status=status))


def manager(request: HttpRequest) -> User:
    """The logged-in user, who must manage the domain's users (403 otherwise)."""
    user = current_user(request)
    if not user.can_manage_users:
        raise PermissionDenied
    return user


def managed_user(request: HttpRequest, user_id: int) -> User:
    """A user of the manager's own domain; any other is a 404."""
    return get_object_or_404(User, domain_id=manager(request).domain_id, pk=user_id)


@login_required_in_domain
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    me = manager(request)
    users = User.objects.filter(domain_id=me.domain_id).order_by("-is_active", "login")
    context = {
        "users": users.prefetch_related("teams"),
        "rights": RIGHT_LABELS,
        "failures": recent_failures(me.domain),
    }
    return page(request, "ui/people/user_list.html", context)


@login_required_in_domain
@require_http_methods(GET_POST)
def user_create(request: HttpRequest) -> HttpResponse:
    me = manager(request)
    form = UserForm(request.POST or None, editing=False)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_user(
                me.domain, login=form.cleaned_data["login"], fields=form.user_fields()
            )
        except actions.PeopleError as error:
            form.add_error("login", str(error))
        else:
            messages.success(request, _("User %(login)s created.") % {"login": created.login})
            if form.cleaned_data["invite"]:
                invite(request, created)
            return redirect("ui:user_edit", created.pk)
    return page(request, "ui/people/user_form.html", {"form": form, "editing": False})


@login_required_in_domain
@require_http_methods(GET_POST)
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    edited = managed_user(request, user_id)
    form = UserForm(request.POST or None, editing=True, initial=user_initial(edited))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_user(edited, form.user_fields(), by=current_user(request))
        except actions.PeopleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("ui:user_edit", edited.pk)
    tokens = ApiToken.objects.filter(domain_id=edited.domain_id, user=edited).order_by("-pk")
    context = {
        "form": form,
        "editing": True,
        "edited": edited,
        "tokens": tokens,
        "account_emails": account_emails(edited),
    }
    return page(request, "ui/people/user_form.html", context)


def account_emails(user: User) -> list[AccountEmail]:
    """The user's latest invitations and password resets, with their delivery state."""
    rows = AccountEmail.objects.filter(domain_id=user.domain_id, user=user)
    return list(rows.order_by("-created_at", "-pk")[:ACCOUNT_EMAILS_SHOWN])


@login_required_in_domain
@require_POST
def user_set_active(request: HttpRequest, user_id: int) -> HttpResponse:
    edited = managed_user(request, user_id)
    try:
        if request.POST.get("active") == "1":
            actions.reactivate_user(edited)
            messages.success(request, _("%(user)s can log in again.") % {"user": edited})
        else:
            actions.deactivate_user(edited, by=current_user(request))
            messages.success(request, _("%(user)s is deactivated.") % {"user": edited})
    except actions.PeopleError as error:
        messages.error(request, str(error))
    return redirect("ui:user_edit", edited.pk)


@login_required_in_domain
@require_http_methods(GET_POST)
def user_password(request: HttpRequest, user_id: int) -> HttpResponse:
    edited = managed_user(request, user_id)
    form = NewPasswordForm(request.POST or None, user=edited)
    if request.method == "POST" and form.is_valid():
        actions.reset_user_password(edited, form.cleaned_data["password1"])
        text = _(
            "The password of %(user)s is set; their sessions are closed and their API tokens "
            "revoked."
        )
        messages.success(request, text % {"user": edited})
        return redirect("ui:user_edit", edited.pk)
    return page(request, "ui/people/user_password.html", {"form": form, "edited": edited})


@login_required_in_domain
@require_POST
def user_invite(request: HttpRequest, user_id: int) -> HttpResponse:
    edited = managed_user(request, user_id)
    invite(request, edited)
    return redirect("ui:user_edit", edited.pk)


def invite(request: HttpRequest, user: User) -> None:
    try:
        actions.invite_user(user)
    except actions.PeopleError as error:
        messages.error(request, str(error))
    else:
        text = _("The invitation to %(email)s is on its way.") % {"email": user.email}
        messages.success(request, text)


@login_required_in_domain
@require_POST
def user_token_revoke(request: HttpRequest, user_id: int, token_id: int) -> HttpResponse:
    edited = managed_user(request, user_id)
    token = get_object_or_404(ApiToken, domain_id=edited.domain_id, user=edited, pk=token_id)
    revoke_token(token)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.key_prefix})
    return redirect("ui:user_edit", edited.pk)
