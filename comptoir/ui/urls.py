from django.urls import include, path

from comptoir.ui.account import login as auth
from comptoir.ui.administration import domain_settings
from comptoir.ui.agents import assignment, campaigns, console, replies
from comptoir.ui.agents import tickets as views
from comptoir.ui.supervisors import quarantine, steering

app_name = "ui"
urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("", views.ticket_list, name="tickets"),
    path("tickets/<int:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:number>/reply/", replies.ticket_reply, name="ticket_reply"),
    path("tickets/<int:number>/note/", replies.ticket_note, name="ticket_note"),
    path(
        "tickets/<int:number>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("tickets/<int:number>/assign/", assignment.assign, name="assign"),
    path(
        "tickets/<int:number>/remove-assignment/",
        assignment.remove_assignment,
        name="remove_assignment",
    ),
    path("tickets/<int:number>/reassign/", steering.reassign, name="reassign"),
    path("tickets/<int:number>/unassign/", steering.unassign, name="unassign"),
    path("tickets/<int:number>/unlock/", steering.unlock, name="unlock"),
    path("tickets/<int:number>/requeue/", steering.requeue, name="requeue"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/<slug:slug>/icon/", campaigns.campaign_icon, name="campaign_icon"),
    path("campaigns/<slug:slug>/play/", campaigns.play, name="play"),
    path("process/<int:processing_id>/", console.process, name="process"),
    path("process/<int:processing_id>/reply/", console.console_reply, name="console_reply"),
    path("process/<int:processing_id>/note/", console.console_note, name="console_note"),
    path("process/<int:processing_id>/qualify/", console.qualify_next, name="qualify_next"),
    path("process/<int:processing_id>/pause/", console.pause, name="pause"),
    path(
        "process/<int:processing_id>/heartbeat/",
        console.console_heartbeat,
        name="heartbeat",
    ),
    path("my-tickets/", campaigns.my_tickets, name="my_tickets"),
    path("supervision/flagged/", steering.flagged_tickets, name="flagged"),
    path("quarantine/", quarantine.quarantine_list, name="quarantine"),
    path("quarantine/<int:raw_id>/eml/", quarantine.quarantine_download, name="quarantine_raw"),
    # Administration (issue 5): people and rights, the campaign editor, imports.
    path("", include("comptoir.ui.administration.urls")),
    path("", include("comptoir.ui.administration.campaign_editor.urls")),
    path("", include("comptoir.ui.administration.campaign_editor.imports_urls")),
    path("", include("comptoir.ui.administration.holidays_urls")),
    path("manage/domain/", domain_settings.domain_settings, name="manage_domain"),
]
