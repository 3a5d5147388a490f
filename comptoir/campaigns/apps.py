from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "comptoir.campaigns"
    label = "campaigns"
