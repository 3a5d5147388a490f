"""URLs of a user's own account: login, logout, password, API tokens and the mailed links
(included by comptoir.ui.urls, namespace ui)."""

from django.urls import URLPattern, path

from comptoir.ui.account import home, login, views

urlpatterns: list[URLPattern] = [
    path("home/", home.home, name="home"),
    path("login/", login.login_view, name="login"),
    path("logout/", login.logout_view, name="logout"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/tokens/", views.token_create, name="token_create"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path(
        "password-reset/<str:uidb64>/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("invitation/<str:uidb64>/<str:token>/", views.invitation, name="invitation"),
]
