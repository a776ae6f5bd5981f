from django.urls import path

from . import views

app_name = "consultation"

urlpatterns = [
    path("", views.my_households, name="mine"),
    path("<int:project_id>/", views.household, name="household"),
]
