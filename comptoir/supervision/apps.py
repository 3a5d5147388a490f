from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "comptoir.supervision"
    label = "supervision"
