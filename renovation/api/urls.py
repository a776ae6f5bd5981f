"""/api/v1/: the REST resources, the OpenAPI schema and the documentation pages."""

from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView
from rest_framework.routers import SimpleRouter

from . import consultation, docs, issues, money, places, projects, tenders

app_name = "api"

router = SimpleRouter()
router.register("streets", places.StreetViewSet, basename="street")
router.register("communities", places.CommunityViewSet, basename="community")
router.register("neighbourhoods", places.NeighbourhoodViewSet, basename="neighbourhood")
router.register("projects", projects.ProjectViewSet, basename="project")
router.register("progress", projects.ProgressViewSet, basename="progress")
router.register("site-issues", issues.SiteIssueViewSet, basename="site-issue")
router.register("tenders", tenders.TenderViewSet, basename="tender")
router.register("contracts", money.ContractViewSet, basename="contract")
router.register("change-orders", money.ChangeOrderViewSet, basename="change-order")
router.register("payments", money.PaymentViewSet, basename="payment")
router.register("disclosures", money.DisclosureViewSet, basename="disclosure")
router.register("consultation", consultation.ConsultationViewSet, basename="consultation")

urlpatterns = [
    path("", docs.api_docs, name="docs"),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
]
