"""URLs of what agents use: their campaigns and the play button, the console, the pause
page, their tickets, their statistics, the ticket list and page, replies, notes and
assignment (namespace ui)."""

from django.urls import URLPattern, path

from comptoir.ui.agents import assignment, campaigns, console, my_stats, pauses, replies, tickets

P = "process/<int:processing_id>/"

urlpatterns: list[URLPattern] = [
    path("", tickets.ticket_list, name="tickets"),
    path("tickets/<int:number>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<int:number>/reply/", replies.ticket_reply, name="ticket_reply"),
    path("tickets/<int:number>/note/", replies.ticket_note, name="ticket_note"),
    path(
        "tickets/<int:number>/attachments/<int:attachment_id>/",
        tickets.attachment_download,
        name="attachment",
    ),
    path("tickets/<int:number>/assign/", assignment.assign, name="assign"),
    path(
        "tickets/<int:number>/remove-assignment/",
        assignment.remove_assignment,
        name="remove_assignment",
    ),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/<slug:slug>/icon/", campaigns.campaign_icon, name="campaign_icon"),
    path("campaigns/<slug:slug>/play/", campaigns.play, name="play"),
    path("campaigns/<slug:slug>/wait/", campaigns.wait, name="wait"),
    path(P, console.process, name="process"),
    path(P + "reply/", console.console_reply, name="console_reply"),
    path(P + "note/", console.console_note, name="console_note"),
    path(P + "qualify/", console.qualify_next, name="qualify_next"),
    path(P + "pause/", console.pause, name="pause"),
    path(P + "heartbeat/", console.console_heartbeat, name="heartbeat"),
    path("play/pause/", pauses.take_pause, name="take_pause"),
    path("play/paused/", pauses.paused, name="paused"),
    path("play/paused/beat/", pauses.paused_beat, name="paused_beat"),
    path("my-tickets/", campaigns.my_tickets, name="my_tickets"),
    path("my-stats/", my_stats.my_stats_page, name="my_stats"),
]
