from django.urls import path

from . import views

app_name = "discussion"

urlpatterns = [
    path("threads/<int:thread_id>/post/", views.post, name="post"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/<slug:action>/", views.moderate, name="moderate"),
]
