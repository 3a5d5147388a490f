"""Login is per domain: the same login may exist in two domains."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from comptoir.tenancy.models import Domain, User


class DomainLoginBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        domain: Domain | None = None,
        **kwargs: Any,
    ) -> User | None:
        if domain is None and request is not None:
            domain = getattr(request, "domain", None)
        if domain is None or username is None or password is None:
            return None
        try:
            user = User.objects.get(domain=domain, login=username)
        except User.DoesNotExist:
            # Same cost as a real check, so timing does not reveal which logins exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
