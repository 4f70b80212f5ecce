"""Every URL of the reporting app, by area; zzmetro/urls.py includes this module once at the root.

`reports_urls` (plans, monthly and quarterly reports, major issues, the bureau's boards) at /portal/reporting/
("reporting"), `archive_urls` (the instrument archive and its imports) at /portal/archive/ ("archive").
"""

from django.urls import include, path

from reporting.views import archive, plans, reports, reports_bureau

reports_urls = [
    path("", reports.index, name="index"),
    # Annual plans (P1)
    path("plans/<int:year>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/submit/", plans.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/adjust/", plans.plan_adjust, name="plan_adjust"),
    # Monthly reports (M2–M5)
    path("monthly/<int:year>/<int:month>/", reports.monthly_form, name="monthly_form"),
    path("monthly/<int:year>/<int:month>/template.xlsx", reports.monthly_template, name="monthly_template"),
    path("monthly/<int:year>/<int:month>/upload/", reports.monthly_upload, name="monthly_upload"),
    path(
        "monthly/<int:year>/<int:month>/upload-errors.xlsx", reports.monthly_upload_errors, name="monthly_upload_errors"
    ),
    path("reports/<int:pk>/", reports.monthly_detail, name="monthly_detail"),
    # Quarterly analysis (M6) and major issues (M7)
    path("quarterly/<int:year>/<int:quarter>/", reports.quarterly_period, name="quarterly_period"),
    path("quarterly/<int:pk>/", reports.quarterly_detail, name="quarterly_detail"),
    path("quarterly/<int:pk>/analysis.pdf", reports.quarterly_pdf, name="quarterly_pdf"),
    path("quarterly/<int:pk>/stamped/", reports.quarterly_stamped, name="quarterly_stamped"),
    path("quarterly/<int:pk>/stamped/file/", reports.quarterly_stamped_file, name="quarterly_stamped_file"),
    path("issues/new/", reports.major_issue_create, name="major_issue_create"),
    path("issues/<int:pk>/", reports.major_issue_detail, name="major_issue_detail"),
    # Bureau staff and managers (M2, M6, M8)
    path("bureau/", reports_bureau.board, name="board"),
    path("bureau/rates/", reports_bureau.rates, name="rates"),
    path("bureau/quarterly/", reports_bureau.quarterly_board, name="quarterly_board"),
    path("bureau/export/<int:year>/<int:month>.xlsx", reports_bureau.export_month, name="export_month"),
    path("bureau/export/<int:year>.xlsx", reports_bureau.export_year, name="export_year"),
]

archive_urls = [
    path("", archive.index, name="index"),
    path("export.xlsx", archive.export, name="export"),
    path("instruments/new/", archive.instrument_create, name="instrument_create"),
    path("instruments/<int:pk>/", archive.instrument_detail, name="instrument_detail"),
    path("instruments/<int:pk>/edit/", archive.instrument_edit, name="instrument_edit"),
    path("instruments/<int:pk>/verifications/", archive.verification_create, name="verification_create"),
    path("import/", archive.import_create, name="import_create"),
    path("import/template.xlsx", archive.import_template, name="import_template"),
    path("import/<int:pk>/", archive.import_detail, name="import_detail"),
    path("import/<int:pk>/status/", archive.import_status, name="import_status"),
    path("import/<int:pk>/errors.xlsx", archive.import_errors, name="import_errors"),
]

# Included once by zzmetro/urls.py at the root: the prefixes and namespaces live here.
urlpatterns = [
    path("portal/archive/", include((archive_urls, "archive"))),
    path("portal/reporting/", include((reports_urls, "reporting"))),
]
