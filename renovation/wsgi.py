"""WSGI entry point: production serves all plain HTTP through gunicorn with this module."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renovation.settings.production")

application = get_wsgi_application()
