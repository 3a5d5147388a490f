from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


class SupervisionConfig(AppConfig):
    name = "comptoir.supervision"
    label = "supervision"

    def ready(self) -> None:
        # Every new domain starts with the default pause reasons, whichever way it is made
        # (`create-domain`, `comptoir demo`, the operators' domain of createsuperuser, tests),
        # without tenancy knowing about supervision: the core's layers point one way
        # (supervision uses tenancy). Starting data, not a flow: nobody asks for it, and the
        # signal only adds rows no action depends on being there (pausing without a reason
        # works). Domains from before are given theirs by migration 0002.
        from comptoir.tenancy.models import Domain

        post_save.connect(domain_created, sender=Domain, dispatch_uid="supervision-pause-reasons")


def domain_created(sender: type, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    if created and not raw:
        from comptoir.supervision.pause_reasons import add_default_reasons

        add_default_reasons(instance)
