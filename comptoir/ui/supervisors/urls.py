"""URLs of what supervisors use: steering a ticket, the flagged tickets, the quarantine
and the exports (namespace ui). The live board comes next (issue 13)."""

from django.urls import URLPattern, path

from comptoir.ui.supervisors import exports, quarantine, steering

T = "tickets/<int:number>/"

urlpatterns: list[URLPattern] = [
    path(T + "reassign/", steering.reassign, name="reassign"),
    path(T + "unassign/", steering.unassign, name="unassign"),
    path(T + "unlock/", steering.unlock, name="unlock"),
    path(T + "requeue/", steering.requeue, name="requeue"),
    path("supervision/flagged/", steering.flagged_tickets, name="flagged"),
    path("supervision/exports/", exports.exports, name="exports"),
    path("quarantine/", quarantine.quarantine_list, name="quarantine"),
    path("quarantine/<int:raw_id>/eml/", quarantine.quarantine_download, name="quarantine_raw"),
]
