from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Token-authenticated JSON, outside the web UI and its login pages (docs/api.md).
    path("api/v1/", include("comptoir.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("comptoir.ui.urls")),
]
