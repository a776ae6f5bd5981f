from django.urls import path

from . import notice_views, views

app_name = "renovation_reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("project-ledger.xlsx", views.project_ledger, name="project_ledger"),
    path("monthly-report.xlsx", views.monthly_report, name="monthly_report"),
    path("site-issues.xlsx", views.site_issue_register, name="site_issue_register"),
    path("finance-disclosure.xlsx", views.finance_disclosure, name="finance_disclosure"),
    path("streets/<slug:code>/notices.pdf", notice_views.street_notices_pdf, name="street_notices"),
]
