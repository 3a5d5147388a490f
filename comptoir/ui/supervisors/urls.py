"""URLs of what supervisors use: the live board (their landing page), steering a ticket,
forcing an agent into a pause or out of play, the flagged tickets, the quarantine, the reports
and their schedules, the exports (namespace ui)."""

from django.urls import URLPattern, path

from comptoir.ui.supervisors import (
    board,
    exports,
    forcing,
    quarantine,
    reports,
    scheduled,
    steering,
)

T = "tickets/<int:number>/"

urlpatterns: list[URLPattern] = [
    path(T + "reassign/", steering.reassign, name="reassign"),
    path(T + "unassign/", steering.unassign, name="unassign"),
    path(T + "unlock/", steering.unlock, name="unlock"),
    path(T + "requeue/", steering.requeue, name="requeue"),
    path("supervision/", board.board, name="board"),
    path("supervision/campaigns/<slug:slug>/", board.campaign_board_page, name="board_campaign"),
    path("supervision/flagged/", steering.flagged_tickets, name="flagged"),
    # Forcing an agent (a pause with a reason, or out of play); GET asks, POST acts.
    path("supervision/agents/<int:agent_id>/pause/", forcing.force_pause, name="force_pause"),
    path(
        "supervision/agents/<int:agent_id>/out/",
        forcing.force_out_of_play,
        name="force_out_of_play",
    ),
    path("supervision/exports/", exports.exports, name="exports"),
    path("supervision/reports/", reports.reports, name="reports"),
    path("supervision/reports/scheduled/", scheduled.scheduled_reports, name="scheduled_reports"),
    path(
        "supervision/reports/scheduled/<int:schedule_id>/delete/",
        scheduled.delete_scheduled_report,
        name="delete_scheduled_report",
    ),
    path("quarantine/", quarantine.quarantine_list, name="quarantine"),
    path("quarantine/<int:raw_id>/eml/", quarantine.quarantine_download, name="quarantine_raw"),
]
