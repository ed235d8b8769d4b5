"""WSGI entry point for Keqiao (gunicorn, and `manage.py runserver` through WSGI_APPLICATION).

Web workers run their numpy products on one BLAS thread (`kernel.blas`): several workers
share each core, and BLAS's own threads only compete with them.
"""

import os

from django.core.wsgi import get_wsgi_application

from kernel.blas import limit_blas_threads

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
limit_blas_threads()
application = get_wsgi_application()
