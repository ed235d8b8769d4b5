"""The accounts' web routes (under /accounts/): allauth's pages, with the log-in and
password-reset pages under the names Django's views had (``login``, ``logout``,
``password_reset``), the e-mail page adapted (`accounts.views.EmailAddressesView`), and our
settings, name-on-record and deletion pages."""

from allauth.account.views import LoginView, LogoutView, SignupView
from django.urls import include, path

from accounts.password_reset import PasswordResetView
from accounts.views import EmailAddressesView, account_delete, account_name, account_settings
from kernel.api.throttling import throttle_web

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    # Each reset request sends an e-mail: rate-limited, ahead of allauth's own route.
    path(
        "password/reset/",
        throttle_web("password_reset")(PasswordResetView.as_view()),
        name="password_reset",
    ),
    # Each sign-up sends an e-mail: rate-limited like the API's, ahead of allauth's route.
    path("signup/", throttle_web("signup")(SignupView.as_view()), name="signup"),
    path("email/", EmailAddressesView.as_view(), name="account_email"),
    path("settings/", account_settings, name="account-settings"),
    path("name/", account_name, name="account-name"),
    path("delete/", account_delete, name="account-delete"),
    path("", include("allauth.urls")),
]
