"""Forms of a user's own account: logging in, a new password (from a mailed link, or set by
an administrator for someone), asking for a reset link, naming an API token."""

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from comptoir.tenancy.models import User


class DomainAskedForm(forms.Form):
    """A form whose `domain` field is asked only on an address that names no domain."""

    def __init__(self, *args: Any, ask_domain: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_domain:
            del self.fields["domain"]


class LoginForm(DomainAskedForm):
    domain = forms.SlugField(
        label=_("Domain"), max_length=63, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    login = forms.CharField(
        label=_("Login"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


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


class ResetRequestForm(DomainAskedForm):
    domain = forms.SlugField(label=_("Domain"), max_length=63)
    login_or_email = forms.CharField(label=_("Login or email"), max_length=254)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=200, required=False)
