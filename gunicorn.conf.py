"""gunicorn settings for running Keqiao in production (README, "Production").

    gunicorn -c gunicorn.conf.py                      # from the repository root

Any setting can be overridden on the command line or in GUNICORN_CMD_ARGS (gunicorn's own
variable), e.g. ``--bind 0.0.0.0:8000 --workers 9``. Put a TLS-terminating proxy (nginx, Caddy)
in front; it must set X-Forwarded-Proto and Keqiao must be told so with
KEQIAO_PROXY_SSL_HEADER=X-Forwarded-Proto. Static files are served by WhiteNoise from
STATIC_ROOT after ``manage.py collectstatic``.
"""

import multiprocessing

wsgi_app = "marketplace.wsgi:application"
# Only the proxy on this machine talks to gunicorn.
bind = "127.0.0.1:8000"
# gunicorn's rule of thumb: (2 × CPU cores) + 1 synchronous workers.
workers = multiprocessing.cpu_count() * 2 + 1
# Seconds a worker may spend on one request before it is killed and restarted.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Requests and errors are logged to stderr, next to Django's own log.
accesslog = "-"
errorlog = "-"
# X-Forwarded-* headers are believed from the local proxy only.
forwarded_allow_ips = "127.0.0.1,::1"
