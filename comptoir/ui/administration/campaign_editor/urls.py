"""URLs of the administration screens; included by comptoir.ui.urls (namespace ui).

The campaign editor: one URL per tab under /manage/campaigns/<slug>/."""

from django.urls import URLPattern, path

from comptoir.ui.administration import library as campaign_library
from comptoir.ui.administration.campaign_editor import advanced as campaign_admin_advanced
from comptoir.ui.administration.campaign_editor import icon as campaign_admin_icon
from comptoir.ui.administration.campaign_editor import info as campaign_admin
from comptoir.ui.administration.campaign_editor import scripts as campaign_admin_script
from comptoir.ui.administration.campaign_editor import signatures as campaign_admin_signature
from comptoir.ui.administration.campaign_editor import status as campaign_admin_status

C = "manage/campaigns/<slug:slug>/"

urlpatterns: list[URLPattern] = [
    path("manage/campaigns/", campaign_admin.campaign_list, name="manage_campaigns"),
    path("manage/campaigns/new/", campaign_admin.campaign_create, name="manage_campaign_create"),
    # The library's qualification scripts, their editor and versions
    path("manage/library/scripts/", campaign_admin_script.script_list, name="manage_scripts"),
    path(
        "manage/library/scripts/new/",
        campaign_admin_script.script_create,
        name="manage_script_add",
    ),
    path(
        "manage/library/scripts/<int:script_id>/",
        campaign_admin_script.script_detail,
        name="manage_script",
    ),
    path(
        "manage/library/scripts/<int:script_id>/rename/",
        campaign_admin_script.script_rename,
        name="manage_script_rename",
    ),
    path(
        "manage/library/scripts/<int:script_id>/remove/",
        campaign_admin_script.script_remove,
        name="manage_script_remove",
    ),
    path(
        "manage/library/scripts/<int:script_id>/versions/<int:number>/",
        campaign_admin_script.script_version,
        name="manage_script_version",
    ),
    path(
        "manage/library/scripts/<int:script_id>/outcomes/",
        campaign_admin_script.outcome_save,
        name="manage_outcome_add",
    ),
    path(
        "manage/library/scripts/<int:script_id>/outcomes/<int:outcome_id>/",
        campaign_admin_script.outcome_save,
        name="manage_outcome",
    ),
    path(
        "manage/library/scripts/<int:script_id>/outcomes/<int:outcome_id>/move/",
        campaign_admin_script.row_move,
        name="manage_outcome_move",
    ),
    path(
        "manage/library/scripts/<int:script_id>/outcomes/<int:outcome_id>/remove/",
        campaign_admin_script.row_remove,
        name="manage_outcome_remove",
    ),
    path(
        "manage/library/scripts/<int:script_id>/questions/",
        campaign_admin_script.question_save,
        name="manage_question_add",
    ),
    path(
        "manage/library/scripts/<int:script_id>/questions/<int:question_id>/",
        campaign_admin_script.question_save,
        name="manage_question",
    ),
    path(
        "manage/library/scripts/<int:script_id>/questions/<int:question_id>/move/",
        campaign_admin_script.row_move,
        name="manage_question_move",
    ),
    path(
        "manage/library/scripts/<int:script_id>/questions/<int:question_id>/remove/",
        campaign_admin_script.row_remove,
        name="manage_question_remove",
    ),
    # The domain's library: shared templates and signatures
    path("manage/library/", campaign_library.library, name="manage_library"),
    path(
        "manage/library/templates/new/",
        campaign_library.template_edit,
        name="manage_library_template_add",
    ),
    path(
        "manage/library/templates/<int:shared_template_id>/",
        campaign_library.template_edit,
        name="manage_library_template",
    ),
    path(
        "manage/library/templates/<int:shared_template_id>/remove/",
        campaign_library.template_remove,
        name="manage_library_template_remove",
    ),
    path(
        "manage/library/signatures/new/",
        campaign_library.signature_edit,
        name="manage_library_signature_add",
    ),
    path(
        "manage/library/signatures/<int:signature_id>/",
        campaign_library.signature_edit,
        name="manage_library_signature",
    ),
    path(
        "manage/library/signatures/<int:signature_id>/remove/",
        campaign_library.signature_remove,
        name="manage_library_signature_remove",
    ),
    path(
        "manage/library/signatures/preview/",
        campaign_admin_signature.library_signature_preview,
        name="manage_library_signature_preview",
    ),
    path(C, campaign_admin.campaign_edit, name="manage_campaign"),
    # Information
    path(C + "info/", campaign_admin.info, name="manage_info"),
    path(
        C + "info/signature/preview/",
        campaign_admin_signature.campaign_signature_preview,
        name="manage_signature_preview",
    ),
    # Deactivate, reactivate, delete (a confirmation page, then a POST)
    path(C + "deactivate/", campaign_admin_status.deactivate, name="manage_deactivate"),
    path(C + "reactivate/", campaign_admin_status.reactivate, name="manage_reactivate"),
    path(C + "delete/", campaign_admin_status.delete, name="manage_delete"),
    path(C + "info/addresses/", campaign_admin.address_add, name="manage_address_add"),
    path(
        C + "info/addresses/<int:address_id>/remove/",
        campaign_admin.address_remove,
        name="manage_address_remove",
    ),
    path(C + "info/mailboxes/new/", campaign_admin.mailbox_edit, name="manage_mailbox_add"),
    path(
        C + "info/mailboxes/test/",
        campaign_admin.mailbox_test_new,
        name="manage_mailbox_test_new",
    ),
    path(
        C + "info/mailboxes/<int:mailbox_id>/",
        campaign_admin.mailbox_edit,
        name="manage_mailbox",
    ),
    path(
        C + "info/mailboxes/<int:mailbox_id>/remove/",
        campaign_admin.mailbox_remove,
        name="manage_mailbox_remove",
    ),
    path(
        C + "info/mailboxes/<int:mailbox_id>/test/",
        campaign_admin.mailbox_test,
        name="manage_mailbox_test",
    ),
    # Advanced
    path(C + "advanced/", campaign_admin_advanced.advanced, name="manage_advanced"),
    path(C + "advanced/hours/", campaign_admin_advanced.hours_add, name="manage_hours_add"),
    path(C + "advanced/holidays/", campaign_admin_advanced.holiday_add, name="manage_holiday_add"),
    path(
        C + "advanced/holidays/france/",
        campaign_admin_advanced.holidays_france,
        name="manage_holidays_france",
    ),
    path(
        C + "advanced/holidays/<int:holiday_id>/remove/",
        campaign_admin_advanced.holiday_remove,
        name="manage_holiday_remove",
    ),
    path(
        C + "advanced/hours/<int:hours_id>/remove/",
        campaign_admin_advanced.hours_remove,
        name="manage_hours_remove",
    ),
    path(
        C + "advanced/templates/new/",
        campaign_admin_advanced.template_edit,
        name="manage_template_add",
    ),
    path(
        C + "advanced/templates/preview/",
        campaign_admin_advanced.template_preview,
        name="manage_template_preview",
    ),
    path(
        C + "advanced/templates/<int:template_id>/",
        campaign_admin_advanced.template_edit,
        name="manage_template",
    ),
    path(
        C + "advanced/templates/<int:template_id>/remove/",
        campaign_admin_advanced.template_remove,
        name="manage_template_remove",
    ),
    # Icon, import history
    path(C + "icon/", campaign_admin_icon.icon, name="manage_icon"),
    path(C + "history/", campaign_admin_icon.history, name="manage_history"),
    # Qualification script: the campaign's choice; the editor posts to the script's URLs
    path(C + "qualification/", campaign_admin_script.qualification, name="manage_qualification"),
    path(
        C + "qualification/script/",
        campaign_admin_script.script_assign,
        name="manage_script_assign",
    ),
    path(
        C + "qualification/new-script/",
        campaign_admin_script.script_new_for_campaign,
        name="manage_script_new_for_campaign",
    ),
]
