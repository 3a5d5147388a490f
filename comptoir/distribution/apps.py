from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "comptoir.distribution"
    verbose_name = "Distribution"
