from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "comptoir.tickets"
    label = "tickets"

    def ready(self) -> None:
        # Acknowledgements are composed from cached campaign data (auto_reply_draft): a change
        # made in this process is seen at once; other processes see it after REPLY_TTL.
        from django.db.models.signals import post_delete, post_save

        from comptoir.campaigns.models import Campaign, EmailTemplate, InboundAddress, Signature
        from comptoir.tenancy.models import Domain, MailDomain
        from comptoir.tickets.auto_reply_draft import forget_replies

        for model in (Campaign, EmailTemplate, Signature, InboundAddress, MailDomain, Domain):
            name = model.__name__
            post_save.connect(forget_replies, sender=model, dispatch_uid=f"replies-{name}")
            post_delete.connect(forget_replies, sender=model, dispatch_uid=f"replies-del-{name}")
