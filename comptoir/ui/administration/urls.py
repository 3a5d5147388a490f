"""URLs of the administration screens; included by comptoir.ui.urls (namespace ui)."""

from django.urls import URLPattern, path

from comptoir.ui.account import views as account
from comptoir.ui.administration import people, teams

urlpatterns: list[URLPattern] = [
    path("account/", account.account, name="account"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/tokens/", account.token_create, name="token_create"),
    path("account/tokens/<int:token_id>/revoke/", account.token_revoke, name="token_revoke"),
    path("password-reset/", account.password_reset, name="password_reset"),
    path(
        "password-reset/<str:uidb64>/<str:token>/",
        account.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("invitation/<str:uidb64>/<str:token>/", account.invitation, name="invitation"),
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
]
