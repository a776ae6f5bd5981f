"""Open-data addresses. Mounted at the site root before Wagtail's page tree, so that
/projects/<address>/oc4ids.json and /projects/<address>/feed/ reach them."""

from django.urls import path

from . import feeds, views

app_name = "opendata"

urlpatterns = [
    path("open-data/", views.open_data, name="catalogue"),
    path("open-data/<slug:dataset>.csv", views.bulk_csv, name="bulk_csv"),
    path("open-data/<slug:dataset>.xlsx", views.bulk_xlsx, name="bulk_xlsx"),
    path("projects/oc4ids.json", views.projects_oc4ids, name="projects_oc4ids"),
    path("projects/<str:slug>/oc4ids.json", views.project_oc4ids, name="project_oc4ids"),
    path("projects/<str:slug>/feed/", feeds.ProjectFeed(), name="project_feed"),
    path("tenders/feed/", feeds.TenderFeed(), name="tender_feed"),
    path("streets/<slug:code>/feed/", feeds.StreetFeed(), name="street_feed"),
]
