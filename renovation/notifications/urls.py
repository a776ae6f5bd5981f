from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notification_read, name="read"),
    path("follow/", views.follow, name="follow"),
]
