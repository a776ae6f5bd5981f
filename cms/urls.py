from django.urls import path

from . import feeds, views

urlpatterns = [
    path("search/", views.site_search, name="site_search"),
    path("notices/feed/", feeds.NoticeFeed(), name="notice_feed"),
]
