"""Forms of the administration of people: users, teams, passwords, API tokens."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from comptoir.tenancy.actions import RIGHTS, UserFields
from comptoir.tenancy.models import Role, Team, User

RIGHT_LABELS = {
    "can_manage_users": _("Manage users and teams"),
    "can_manage_campaigns": _("Manage campaigns"),
    "can_supervise": _("Supervise"),
    "can_process": _("Process tickets"),
    "can_export": _("Export"),
    "can_use_api": _("Use the API"),
}


def language_choices() -> list[tuple[str, Any]]:
    return [("", _("The domain's language")), *settings.LANGUAGES]


class UserForm(forms.Form):
    """A user's details; the rights only when editing (a new user gets the role's rights)."""

    login = forms.CharField(label=_("Login"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=language_choices)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, editing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["login"]
            for right in RIGHTS:
                self.fields[right] = forms.BooleanField(label=RIGHT_LABELS[right], required=False)
        else:
            self.fields["role"].help_text = _("The user starts with the role's rights.")
            self.fields["invite"] = forms.BooleanField(
                label=_("Send an invitation by email"),
                required=False,
                help_text=_("A link to choose a password, and the address of the domain."),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("invite") and not data.get("email"):
            self.add_error("email", _("An invitation needs an email address."))
        return data

    def user_fields(self) -> UserFields:
        data = self.cleaned_data
        editing = RIGHTS[0] in self.fields
        rights = frozenset(r for r in RIGHTS if data.get(r)) if editing else None
        return UserFields(
            display_name=data["display_name"],
            email=data["email"],
            language=data["language"],
            role=data["role"],
            rights=rights,
        )


def user_initial(user: User) -> dict[str, Any]:
    initial = {
        "display_name": user.display_name,
        "email": user.email,
        "language": user.language,
        "role": user.role,
    }
    initial.update({right: getattr(user, right) for right in RIGHTS})
    return initial


class NewPasswordForm(forms.Form):
    """A password typed twice and checked by the configured validators."""

    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args: Any, team: Team | None, domain_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        assert isinstance(members, forms.ModelMultipleChoiceField)
        members.queryset = User.objects.filter(domain_id=domain_id, is_active=True).order_by(
            "login"
        )
        if team is None:
            del self.fields["members"]


class ResetRequestForm(forms.Form):
    domain = forms.SlugField(label=_("Domain"), max_length=63)
    login_or_email = forms.CharField(label=_("Login or email"), max_length=254)

    def __init__(self, *args: Any, ask_domain: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_domain:
            del self.fields["domain"]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=200, required=False)
