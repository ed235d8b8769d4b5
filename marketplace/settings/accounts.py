"""Settings of the user accounts: django-allauth's `account` app (sign-up, e-mail
verification, log-in by e-mail or username, password reset, e-mail change), read by
`marketplace.settings`. The glue lives in the app `accounts` (its module docstrings)."""

from datetime import timedelta

from marketplace.settings.env import env

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
# A signed-up account is inactive until its e-mail address is verified (accounts.verification);
# accounts made by staff or load_demo are active and need no verification.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# A new address replaces the old one only once it is verified.
ACCOUNT_CHANGE_EMAIL = True
# Sign-up and password reset never tell whether an address has an account: the owner of the
# address is told by e-mail instead (allauth's default, stated here because the API follows it).
ACCOUNT_PREVENT_ENUMERATION = True
# Verification links are confirmed with a POST: mail scanners that open links confirm nothing.
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Sessions last SESSION_COOKIE_AGE, as with Django's log-in before (no "remember me" box).
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[科桥 Keqiao] "
# Days a verification link stays valid.
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int("KEQIAO_EMAIL_CONFIRMATION_DAYS", default=3)
# allauth's own rate limits count in the cache (per process here: LocMemCache), so they back up
# the shared limits rather than replace them. Failed log-ins are counted by django-axes alone
# (in the database, "Abuse limits" in marketplace.settings: a second, per-process count would
# answer differently and earlier), password-reset requests by THROTTLE_RATES "password_reset*"
# (accounts.password_reset); sign-up by THROTTLE_RATES "signup*" too. allauth's defaults stay
# for the rest (sign-up 20/min per address, one verification e-mail per address every 3 min,
# e-mail changes 10/min and password changes 5/min per user).
ACCOUNT_RATE_LIMITS = {"login_failed": None, "reset_password": None}

# Log-in lockout (django-axes; AxesMiddleware must stay last): failures are counted in the
# database per username and address, per address and per username; once one count reaches its
# limit the log-in is refused for KEQIAO_LOGIN_LOCKOUT_MINUTES (attempts refused meanwhile are
# not counted). Applies to the web log-in form (django-allauth's, by e-mail or username: both
# count against the account's username, accounts.lockout.login_username) and POST
# /api/v1/auth/token/ (accounts.lockout
# explains the three limits and answers 429).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out log-ins
    # Django's ModelBackend that also finds the account by e-mail address.
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_FAILURE_LIMIT = env.int("KEQIAO_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("KEQIAO_LOGIN_LOCKOUT_MINUTES", default=15))
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("KEQIAO_LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
LOGIN_USERNAME_FAILURE_LIMIT = env.int("KEQIAO_LOGIN_USERNAME_FAILURE_LIMIT", default=100)
# Order matters: LoginLockoutHandler pairs these counts with the three limits above.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
# Attempts refused because of a lockout are not counted: otherwise one address could keep
# failing on purpose after its own lockout until the username's limit locked the owner out too.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # a successful log-in clears that username's failures only:
AXES_HANDLER = "accounts.lockout.LoginLockoutHandler"  # (not the address's; see there)
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.lockout.login_username"
AXES_CLIENT_IP_CALLABLE = "kernel.api.throttling.client_ip"
AXES_VERBOSE = False
