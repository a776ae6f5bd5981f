from django.urls import path

from . import views

app_name = "tendering"

urlpatterns = [
    path("", views.tender_list, name="list"),
    path("ocds.json", views.ocds_all, name="ocds_all"),
    path("open-data/", views.open_data_policy, name="open_data_policy"),
    path("bidders/register/", views.bidder_register, name="bidder_register"),
    path("bidders/mine/", views.bidder_mine, name="bidder_mine"),
    path("<int:pk>/", views.tender_detail, name="detail"),
    path("<int:pk>/ocds.json", views.ocds_tender, name="ocds"),
    path("<int:pk>/bid/", views.bid, name="bid"),
    path("<int:pk>/objections/", views.objection, name="objection"),
]
