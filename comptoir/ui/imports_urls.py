"""URLs of the administration screens; included by comptoir.ui.urls (namespace ui)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
