"""Public printouts, mounted at the site root before Wagtail's page tree."""

from django.urls import path

from . import notice_views

app_name = "notices"

urlpatterns = [
    path("projects/<str:slug>/notice/", notice_views.project_notice, name="project"),
    path("projects/<str:slug>/notice.pdf", notice_views.project_notice_pdf, name="project_pdf"),
]
