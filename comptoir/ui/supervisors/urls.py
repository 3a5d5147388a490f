"""URLs of what supervisors use: steering a ticket, the flagged tickets, the quarantine
and the live board, the supervisors' landing page (namespace ui)."""

from django.urls import URLPattern, path

from comptoir.ui.supervisors import board, quarantine, steering

T = "tickets/<int:number>/"

urlpatterns: list[URLPattern] = [
    path(T + "reassign/", steering.reassign, name="reassign"),
    path(T + "unassign/", steering.unassign, name="unassign"),
    path(T + "unlock/", steering.unlock, name="unlock"),
    path(T + "requeue/", steering.requeue, name="requeue"),
    path("supervision/", board.board, name="board"),
    path("supervision/campaigns/<slug:slug>/", board.campaign_board_page, name="board_campaign"),
    path("supervision/flagged/", steering.flagged_tickets, name="flagged"),
    path("quarantine/", quarantine.quarantine_list, name="quarantine"),
    path("quarantine/<int:raw_id>/eml/", quarantine.quarantine_download, name="quarantine_raw"),
]
