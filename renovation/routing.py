"""WebSocket routes and the stack in front of them: origin check, then the page's Django
session, then the consumer."""

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from renovation.discussion.consumers import ThreadConsumer

websocket_urlpatterns = [
    path("ws/threads/<int:thread_id>/", ThreadConsumer.as_asgi()),
]


def websocket_application() -> Any:
    """Built when called: the origin check takes ALLOWED_HOSTS as they are at that moment."""
    return AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
