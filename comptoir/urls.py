from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from comptoir.api import views as api_views

urlpatterns: list[URLPattern | URLResolver] = [
    # Token-authenticated JSON, outside the web UI and its login pages (docs/api.md).
    path("api/v1/", include("comptoir.api.urls")),
    # Anything else under /api (another version, a newline in the path): a JSON 404 too.
    re_path(r"^api(?:/(?P<rest>[\s\S]*))?$", api_views.unknown),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("comptoir.ui.urls")),
]
if settings.COMPTOIR_DJANGO_ADMIN:
    # Operators' raw view of the tables: off unless COMPTOIR_DJANGO_ADMIN=1 (docs/security.md).
    urlpatterns.insert(0, path("django-admin/", admin.site.urls))

# Under /api/ these answer JSON (docs/api.md, "Errors and limits"); elsewhere the UI's pages,
# inside its layout and in the reader's language.
handler400 = "comptoir.ui.common.errors.bad_request"
handler403 = "comptoir.ui.common.errors.permission_denied"
handler404 = "comptoir.ui.common.errors.page_not_found"
handler500 = "comptoir.ui.common.errors.server_error"
