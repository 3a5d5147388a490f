from django.urls import path

from comptoir.ui import views

app_name = "ui"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.ticket_list, name="tickets"),
    path("tickets/<int:number>/", views.ticket_detail, name="ticket"),
    path("quarantine/", views.quarantine_list, name="quarantine"),
]
