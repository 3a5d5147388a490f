from django.apps import AppConfig


class ScriptsConfig(AppConfig):
    name = "comptoir.scripts"
    label = "scripts"
    verbose_name = "Qualification scripts"
