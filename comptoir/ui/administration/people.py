"""Users of a domain (right `can_manage_users`): list, create, edit, deactivate, passwords and
invitations, other users' API tokens. Users are never deleted: tickets name them."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.api.actions import revoke_token
from comptoir.api.models import ApiToken
from comptoir.tenancy import actions
from comptoir.tenancy.models import AccountEmail, User
from comptoir.tenancy.throttle import recent_failures
from comptoir.ui.account.forms import NewPasswordForm
from comptoir.ui.account.views import revoke_question
from comptoir.ui.administration.forms import RIGHT_LABELS, UserForm, user_initial
from comptoir.ui.common.access import current_user, require_right, user_managers_only
from comptoir.ui.common.pages import GET_POST, render_page

ACCOUNT_EMAILS_SHOWN = 5


def managed_user(request: HttpRequest, user_id: int) -> User:
    """A user of the manager's own domain; any other is a 404."""
    manager = require_right(request, "can_manage_users")
    return get_object_or_404(User, domain_id=manager.domain_id, pk=user_id)


@user_managers_only
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    users = User.objects.filter(domain_id=me.domain_id).order_by("-is_active", "login")
    context = {
        "users": users.prefetch_related("teams"),
        "rights": RIGHT_LABELS,
        "failures": recent_failures(me.domain),
    }
    return render_page(request, "ui/people/user_list.html", context)


@user_managers_only
@require_http_methods(GET_POST)
def user_create(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
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
    return render_page(request, "ui/people/user_form.html", {"form": form, "editing": False})


@user_managers_only
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
    return render_page(request, "ui/people/user_form.html", context)


def account_emails(user: User) -> list[AccountEmail]:
    """The user's latest invitations and password resets, with their delivery state."""
    rows = AccountEmail.objects.filter(domain_id=user.domain_id, user=user)
    return list(rows.order_by("-created_at", "-pk")[:ACCOUNT_EMAILS_SHOWN])


@user_managers_only
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


@user_managers_only
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
    return render_page(request, "ui/people/user_password.html", {"form": form, "edited": edited})


@user_managers_only
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


@user_managers_only
@require_http_methods(GET_POST)
def user_token_revoke(request: HttpRequest, user_id: int, token_id: int) -> HttpResponse:
    edited = managed_user(request, user_id)
    token = get_object_or_404(ApiToken, domain_id=edited.domain_id, user=edited, pk=token_id)
    if request.method == "GET":
        back = reverse("ui:user_edit", args=[edited.pk])
        return revoke_question(request, token, back)
    revoke_token(token)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.key_prefix})
    return redirect("ui:user_edit", edited.pk)
