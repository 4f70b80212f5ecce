from django.urls import path

from reporting.views import archive

app_name = "archive"
urlpatterns = [
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
