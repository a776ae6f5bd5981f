from django.urls import path, re_path
from wagtail import urls as wagtail_urls
from wagtail.urls import serve_pattern

from . import feeds, routing, views

urlpatterns = [
    path("search/", views.site_search, name="site_search"),
    path("notices/feed/", feeds.NoticeFeed(), name="notice_feed"),
    # Wagtail's page tree is served from here (renovation/urls.py includes no other Wagtail URLs):
    # its pages routed through this process's memo first (cms/routing.py). Wagtail's other URLs
    # (the password form of a restricted page, its login) come first, as in wagtail.urls.
    *(pattern for pattern in wagtail_urls.urlpatterns if getattr(pattern, "name", None) != "wagtail_serve"),
    re_path(serve_pattern, routing.serve, name="wagtail_serve"),
]
