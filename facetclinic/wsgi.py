"""WSGI entry point (gunicorn facetclinic.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facetclinic.settings")
application = get_wsgi_application()
