"""URLs of the administration screens; included by comptoir.ui.urls (namespace ui)."""

from django.urls import URLPattern, path

from comptoir.ui.administration.campaign_editor import imports

urlpatterns: list[URLPattern] = [
    path("manage/campaigns/<slug:slug>/imports/", imports.import_history, name="imports"),
    path(
        "manage/campaigns/<slug:slug>/imports/<int:import_id>/",
        imports.import_progress,
        name="import_progress",
    ),
    path(
        "manage/campaigns/<slug:slug>/imports/<int:import_id>/errors.csv",
        imports.import_errors,
        name="import_errors",
    ),
    path(
        "manage/campaigns/<slug:slug>/imports/<int:import_id>/cancel/",
        imports.import_cancel,
        name="import_cancel",
    ),
    path(
        "manage/campaigns/<slug:slug>/imports/<int:import_id>/rerun/",
        imports.import_rerun,
        name="import_rerun",
    ),
]
