from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/confirm/", views.join_confirm, name="join_confirm"),
    path("login/phone/", views.login_phone, name="login_phone"),
    path("password/reset/phone/", views.password_reset_phone, name="password_reset_phone"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/close/", views.close_account, name="close"),
]
