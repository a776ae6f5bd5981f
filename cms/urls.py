from django.urls import path, re_path
from wagtail.urls import serve_pattern

from . import feeds, routing, views

urlpatterns = [
    path("search/", views.site_search, name="site_search"),
    path("notices/feed/", feeds.NoticeFeed(), name="notice_feed"),
    # Wagtail's page tree (renovation/urls.py includes Wagtail's URLs after these): served by
    # Wagtail's own view, routed through this process's memo first (cms/routing.py).
    re_path(serve_pattern, routing.serve, name="public_serve"),
]
