"""WebSocket routes. Live threads and status updates add their consumers here."""

websocket_urlpatterns: list = []
