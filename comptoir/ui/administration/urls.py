"""URLs of the administration (namespace ui): people and teams, the domain's library
(templates, signatures, qualification scripts), public holidays and settings; the campaign
editor has its own (campaign_editor/urls.py), included here."""

from django.urls import URLPattern, URLResolver, include, path

from comptoir.ui.administration import (
    domain_settings,
    holidays,
    library,
    pause_reasons,
    people,
    teams,
)
from comptoir.ui.administration.campaign_editor import scripts, signatures

S = "manage/library/scripts/<int:script_id>/"

people_patterns: list[URLPattern] = [
    path("users/", people.user_list, name="users"),
    path("users/new/", people.user_create, name="user_create"),
    path("users/<int:user_id>/", people.user_edit, name="user_edit"),
    path("users/<int:user_id>/active/", people.user_set_active, name="user_set_active"),
    path("users/<int:user_id>/password/", people.user_password, name="user_password"),
    path("users/<int:user_id>/invite/", people.user_invite, name="user_invite"),
    path(
        "users/<int:user_id>/tokens/<int:token_id>/revoke/",
        people.user_token_revoke,
        name="user_token_revoke",
    ),
    path("teams/", teams.team_list, name="teams"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/<int:team_id>/", teams.team_edit, name="team_edit"),
    path("teams/<int:team_id>/delete/", teams.team_delete, name="team_delete"),
    # What agents choose from when they pause (supervision.pause_reasons)
    path("pause-reasons/", pause_reasons.pause_reason_list, name="pause_reasons"),
    path("pause-reasons/add/", pause_reasons.pause_reason_add, name="pause_reason_add"),
    path(
        "pause-reasons/<int:pause_reason_id>/",
        pause_reasons.pause_reason_edit,
        name="pause_reason_edit",
    ),
    path(
        "pause-reasons/<int:pause_reason_id>/active/",
        pause_reasons.pause_reason_active,
        name="pause_reason_active",
    ),
    path(
        "pause-reasons/<int:pause_reason_id>/move/",
        pause_reasons.pause_reason_move,
        name="pause_reason_move",
    ),
    path(
        "pause-reasons/<int:pause_reason_id>/remove/",
        pause_reasons.pause_reason_remove,
        name="pause_reason_remove",
    ),
]

# What the domain's campaigns share: the library, public holidays, the domain's settings.
domain_patterns: list[URLPattern] = [
    path("manage/domain/", domain_settings.domain_settings, name="manage_domain"),
    # The library's qualification scripts, their editor and versions
    path("manage/library/scripts/", scripts.script_list, name="manage_scripts"),
    path(
        "manage/library/scripts/new/",
        scripts.script_create,
        name="manage_script_add",
    ),
    path(
        S,
        scripts.script_detail,
        name="manage_script",
    ),
    path(
        S + "remove/",
        scripts.script_remove,
        name="manage_script_remove",
    ),
    path(
        S + "versions/<int:number>/",
        scripts.script_version,
        name="manage_script_version",
    ),
    path(
        S + "outcomes/",
        scripts.outcome_save,
        name="manage_outcome_add",
    ),
    path(
        S + "outcomes/<int:outcome_id>/",
        scripts.outcome_save,
        name="manage_outcome",
    ),
    path(
        S + "outcomes/<int:outcome_id>/move/",
        scripts.row_move,
        name="manage_outcome_move",
    ),
    path(
        S + "outcomes/<int:outcome_id>/remove/",
        scripts.row_remove,
        name="manage_outcome_remove",
    ),
    path(
        S + "questions/",
        scripts.question_save,
        name="manage_question_add",
    ),
    path(
        S + "questions/<int:question_id>/",
        scripts.question_save,
        name="manage_question",
    ),
    path(
        S + "questions/<int:question_id>/move/",
        scripts.row_move,
        name="manage_question_move",
    ),
    path(
        S + "questions/<int:question_id>/remove/",
        scripts.row_remove,
        name="manage_question_remove",
    ),
    # The domain's library: shared templates and signatures
    path("manage/library/", library.library, name="manage_library"),
    path(
        "manage/library/templates/new/",
        library.template_edit,
        name="manage_library_template_add",
    ),
    path(
        "manage/library/templates/<int:shared_template_id>/",
        library.template_edit,
        name="manage_library_template",
    ),
    path(
        "manage/library/templates/<int:shared_template_id>/remove/",
        library.template_remove,
        name="manage_library_template_remove",
    ),
    path(
        "manage/library/signatures/new/",
        library.signature_edit,
        name="manage_library_signature_add",
    ),
    path(
        "manage/library/signatures/<int:signature_id>/",
        library.signature_edit,
        name="manage_library_signature",
    ),
    path(
        "manage/library/signatures/<int:signature_id>/remove/",
        library.signature_remove,
        name="manage_library_signature_remove",
    ),
    path(
        "manage/library/signatures/preview/",
        signatures.library_signature_preview,
        name="manage_library_signature_preview",
    ),
    path("manage/holidays/", holidays.holidays, name="manage_domain_holidays"),
    path("manage/holidays/add/", holidays.holiday_add, name="manage_domain_holiday_add"),
    path(
        "manage/holidays/france/",
        holidays.holidays_france,
        name="manage_domain_holidays_france",
    ),
    path(
        "manage/holidays/<int:domain_holiday_id>/remove/",
        holidays.holiday_remove,
        name="manage_domain_holiday_remove",
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [
    *people_patterns,
    *domain_patterns,
    path("", include("comptoir.ui.administration.campaign_editor.urls")),
]
