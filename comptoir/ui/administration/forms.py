"""Forms of the administration of people: users, teams, passwords, API tokens."""

from typing import Any

from django import forms
from django.conf import settings
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
    # A new user is an agent unless the administrator says otherwise (the least rights).
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)

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


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # Two users may share a display name; the login tells them apart.
        return f"{obj.display_name} ({obj.login})" if obj.display_name else obj.login


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    members = MemberChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        # Checkboxes: a multi-select drops every other member on a click without Ctrl.
        widget=forms.CheckboxSelectMultiple,
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
