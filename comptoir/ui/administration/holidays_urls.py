"""URLs of the domain's public holidays; included by comptoir.ui.urls (namespace ui)."""

from django.urls import URLPattern, path

from comptoir.ui.administration import holidays as domain_holidays

urlpatterns: list[URLPattern] = [
    path("manage/holidays/", domain_holidays.holidays, name="manage_domain_holidays"),
    path("manage/holidays/add/", domain_holidays.holiday_add, name="manage_domain_holiday_add"),
    path(
        "manage/holidays/france/",
        domain_holidays.holidays_france,
        name="manage_domain_holidays_france",
    ),
    path(
        "manage/holidays/<int:domain_holiday_id>/remove/",
        domain_holidays.holiday_remove,
        name="manage_domain_holiday_remove",
    ),
]
