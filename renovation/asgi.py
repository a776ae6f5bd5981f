"""ASGI entry point: HTTP and WebSockets from one application.

In production nginx sends only /ws/ here (uvicorn or daphne); plain HTTP goes to the WSGI
workers, which serve it several times faster (DESIGN.md, "Architecture"). `make run` serves both
from this application through daphne's runserver.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renovation.settings.production")

# Django must be set up before anything imports models (consumers, routing).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from renovation.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application()})
