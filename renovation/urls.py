from django.conf import settings
from django.conf.urls.static import static
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from renovation.accounts import sign_in
from renovation.health import views as health_views
from renovation.operations import views as operations_views

urlpatterns = [
    path("healthz", health_views.healthz, name="healthz"),
    path("readyz", health_views.readyz, name="readyz"),
    path("metrics", operations_views.metrics, name="metrics"),
    # No CSRF token: the switch sits on every public page, and a page that carries a per-visitor
    # token cannot be cached for everyone. A forged switch only changes the display language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/login/", sign_in.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/reset/", sign_in.ResetRequestView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/", sign_in.ResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/", include("renovation.residents.urls")),
    path("supervise/", include("renovation.supervision.urls")),
    path("consultation/", include("renovation.consultation.urls")),
    path("notifications/", include("renovation.notifications.urls")),
    path("discussion/", include("renovation.discussion.urls")),
    path("tenders/", include("renovation.tendering.urls")),
    path("streets/", include("renovation.evaluation.urls")),
    # Open data: the REST API with its OpenAPI schema and docs, and Open311 GeoReport v2 for site issues.
    path("api/v1/", include("renovation.api.urls")),
    path("open311/v2/", include("renovation.api.open311.urls")),
    path("documents/", include(wagtaildocs_urls)),
    # Open data: /open-data/, OC4IDS (/projects/oc4ids.json, /projects/<address>/oc4ids.json) and Atom feeds.
    path("", include("renovation.opendata.urls")),
    # Site notices (公示牌): /projects/<address>/notice/ and notice.pdf.
    path("", include("renovation.reports.public_urls")),
    path("files/", include("renovation.files.urls")),
    # The site search (cms/views.py), and Wagtail's page tree: /, /projects/, /projects/<slug>/
    # (cms/urls.py serves it through this process's routing memo, cms/routing.py).
    path("", include("cms.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
