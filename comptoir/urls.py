from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    # Token-authenticated JSON, outside the web UI and its login pages (docs/api.md).
    path("api/v1/", include("comptoir.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("comptoir.ui.urls")),
]
if settings.COMPTOIR_DJANGO_ADMIN:
    # Operators' raw view of the tables: off unless COMPTOIR_DJANGO_ADMIN=1 (docs/security.md).
    urlpatterns.insert(0, path("django-admin/", admin.site.urls))
