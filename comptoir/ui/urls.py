from django.urls import path

from comptoir.ui import auth, quarantine, replies, views

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
    path("quarantine/", quarantine.quarantine_list, name="quarantine"),
    path("quarantine/<int:raw_id>/eml/", quarantine.quarantine_download, name="quarantine_raw"),
]
