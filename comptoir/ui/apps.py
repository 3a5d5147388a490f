from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "comptoir.ui"
    label = "ui"
