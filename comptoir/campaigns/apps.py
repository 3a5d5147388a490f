from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CampaignsConfig(AppConfig):
    name = "comptoir.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        # Routing answers are cached (campaigns.addresses.route): a change to what routes
        # mail, made in this process, is seen at once; other processes see it after the TTL.
        from comptoir.campaigns.addresses import forget_routes
        from comptoir.campaigns.models import Campaign, InboundAddress
        from comptoir.tenancy.models import Domain, MailDomain

        for model in (InboundAddress, MailDomain, Campaign, Domain):
            post_save.connect(forget_routes, sender=model, dispatch_uid=f"routes-{model.__name__}")
            post_delete.connect(
                forget_routes, sender=model, dispatch_uid=f"routes-del-{model.__name__}"
            )
