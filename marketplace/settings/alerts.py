"""Settings of saved searches and two-way alerts (`matching.alerts`, the worker
`manage.py send_match_alerts`), read by `marketplace.settings`."""

from marketplace.settings.env import env

# The hour (Beijing time, 0-23) from which each day's digest is sent; strong matches considered
# per new listing; saved searches per user; retry back-off of the worker (seconds).
ALERT_DIGEST_HOUR = env.int("KEQIAO_ALERT_DIGEST_HOUR", default=8)
ALERT_MATCH_LIMIT = 50
ALERT_SAVED_SEARCHES_PER_USER = 50
ALERT_RETRY_BASE_SECONDS = 30.0
ALERT_RETRY_MAX_SECONDS = 3600.0
