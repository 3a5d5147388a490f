"""The UI's URLs (namespace ui), one list per audience: see docs/architecture.md."""

from django.urls import include, path

app_name = "ui"
urlpatterns = [
    path("", include("comptoir.ui.account.urls")),
    path("", include("comptoir.ui.agents.urls")),
    path("", include("comptoir.ui.supervisors.urls")),
    path("", include("comptoir.ui.administration.urls")),
]
