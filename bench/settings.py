"""Settings for the HTTP benchmark only: the app's production settings, plus the floor views' routes.

Served by gunicorn in bench/http_throughput.py (DJANGO_SETTINGS_MODULE=bench.settings); never by the app itself, so
the floors (bench/floors.py) exist nowhere else.
"""

from facetclinic.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
