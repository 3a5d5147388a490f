"""URLs of the campaign editor (namespace ui): the domain's campaigns, then one URL per tab
under /manage/campaigns/<slug>/ (Information, Advanced, Icon, Qualification, Import history)."""

from django.urls import URLPattern, path

from comptoir.ui.administration.campaign_editor import (
    advanced,
    campaigns,
    icon,
    imports,
    info,
    scripts,
    signatures,
    status,
)

C = "manage/campaigns/<slug:slug>/"

urlpatterns: list[URLPattern] = [
    path("manage/campaigns/", campaigns.campaign_list, name="manage_campaigns"),
    path("manage/campaigns/new/", campaigns.campaign_create, name="manage_campaign_create"),
    path(C, campaigns.campaign_edit, name="manage_campaign"),
    # Information
    path(C + "info/", info.info, name="manage_info"),
    path(
        C + "info/signature/preview/",
        signatures.campaign_signature_preview,
        name="manage_signature_preview",
    ),
    # Deactivate, reactivate, delete (a confirmation page, then a POST)
    path(C + "deactivate/", status.deactivate, name="manage_deactivate"),
    path(C + "reactivate/", status.reactivate, name="manage_reactivate"),
    path(C + "delete/", status.delete, name="manage_delete"),
    path(C + "info/addresses/", info.address_add, name="manage_address_add"),
    path(
        C + "info/addresses/<int:address_id>/remove/",
        info.address_remove,
        name="manage_address_remove",
    ),
    path(C + "info/mailboxes/new/", info.mailbox_edit, name="manage_mailbox_add"),
    path(
        C + "info/mailboxes/test/",
        info.mailbox_test_new,
        name="manage_mailbox_test_new",
    ),
    path(
        C + "info/mailboxes/<int:mailbox_id>/",
        info.mailbox_edit,
        name="manage_mailbox",
    ),
    path(
        C + "info/mailboxes/<int:mailbox_id>/remove/",
        info.mailbox_remove,
        name="manage_mailbox_remove",
    ),
    path(
        C + "info/mailboxes/<int:mailbox_id>/test/",
        info.mailbox_test,
        name="manage_mailbox_test",
    ),
    # Advanced
    path(C + "advanced/", advanced.advanced, name="manage_advanced"),
    path(C + "advanced/hours/", advanced.hours_add, name="manage_hours_add"),
    path(C + "advanced/holidays/", advanced.holiday_add, name="manage_holiday_add"),
    path(
        C + "advanced/holidays/france/",
        advanced.holidays_france,
        name="manage_holidays_france",
    ),
    path(
        C + "advanced/holidays/<int:holiday_id>/remove/",
        advanced.holiday_remove,
        name="manage_holiday_remove",
    ),
    path(
        C + "advanced/hours/<int:hours_id>/remove/",
        advanced.hours_remove,
        name="manage_hours_remove",
    ),
    path(
        C + "advanced/templates/new/",
        advanced.template_edit,
        name="manage_template_add",
    ),
    path(
        C + "advanced/templates/preview/",
        advanced.template_preview,
        name="manage_template_preview",
    ),
    path(
        C + "advanced/templates/<int:template_id>/",
        advanced.template_edit,
        name="manage_template",
    ),
    path(
        C + "advanced/templates/<int:template_id>/remove/",
        advanced.template_remove,
        name="manage_template_remove",
    ),
    path(C + "icon/", icon.icon, name="manage_icon"),
    # Import history: one page; the tab's older address leads to it for good
    path(C + "history/", imports.old_history_address, name="manage_history"),
    path(C + "imports/", imports.import_history, name="imports"),
    path(C + "imports/<int:import_id>/", imports.import_progress, name="import_progress"),
    path(C + "imports/<int:import_id>/errors.csv", imports.import_errors, name="import_errors"),
    path(C + "imports/<int:import_id>/cancel/", imports.import_cancel, name="import_cancel"),
    path(C + "imports/<int:import_id>/rerun/", imports.import_rerun, name="import_rerun"),
    # Qualification script: the campaign's choice (posted to the tab); the editor posts to
    # the script's URLs
    path(C + "qualification/", scripts.qualification, name="manage_qualification"),
    path(
        C + "qualification/new-script/",
        scripts.script_new_for_campaign,
        name="manage_script_new_for_campaign",
    ),
]
