"""/api/v1/: every route here is described in openapi.py (a test checks both ways)."""

from django.urls import path, re_path

from comptoir.api import supervision, supervision_reports, views

app_name = "api"
urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    path("campaigns", views.campaigns, name="campaigns"),
    path("campaigns/<slug:slug>/next", views.next_ticket, name="next"),
    path("tickets/<int:number>", views.ticket_detail, name="ticket"),
    path("tickets/<int:number>/assign", views.ticket_assign, name="assign"),
    path("tickets/<int:number>/reply", views.ticket_reply, name="reply"),
    path("tickets/<int:number>/notes", views.ticket_notes, name="notes"),
    path("tickets/<int:number>/qualify", views.ticket_qualify, name="qualify"),
    path("tickets/<int:number>/release", views.ticket_release, name="release"),
    path("tickets/<int:number>/heartbeat", views.ticket_heartbeat, name="heartbeat"),
    path("supervision/processings", supervision.processings, name="processings"),
    path("supervision/reports", supervision_reports.reports, name="reports"),
    # [\s\S], not ".": a path may hold a newline ("%0a"), and it is unknown too.
    re_path(r"^(?P<rest>[\s\S]*)$", views.unknown, name="unknown"),
]
