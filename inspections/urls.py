from django.urls import include, path

from inspections.views import licences, supervision

# The station's supervision pages (officers, their own station only).
supervision_patterns = [
    path("", supervision.index, name="index"),
    path("rectifications/<int:pk>/", supervision.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/notice.pdf", supervision.rectification_document, name="rectification_document"),
    path("samples/<int:pk>/", supervision.draw_detail, name="draw_detail"),
    path("complaints/new/", supervision.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", supervision.complaint_detail, name="complaint_detail"),
    path("evaluations/<int:pk>/notice.pdf", supervision.evaluation_document, name="evaluation_document"),
    path("violations/<int:pk>/notice.pdf", supervision.violation_document, name="violation_document"),
]

# The licence register (S2): the public list of holders, and the bureau's pages reached from the admin's lists.
licence_patterns = [
    path("register/manufacturers/", licences.manufacturer_register, name="register"),
    path("licences/import/<str:kind>/", licences.register_import, name="import"),
    path("licences/import/<str:kind>/template.xlsx", licences.import_template, name="import_template"),
    path("licences/export.xlsx", licences.licence_export, name="export"),
    path("licences/findings/export.xlsx", licences.finding_export, name="finding_export"),
    path("licences/inspection/", licences.inspection_documents, name="documents"),
    path("licences/inspection/attachment1.xlsx", licences.survey_download, name="survey"),
    path("licences/inspection/attachment2.xlsx", licences.administrators_download, name="administrators"),
    path("licences/inspection/summary.pdf", licences.summary_download, name="summary"),
]

urlpatterns = [
    path("portal/supervision/", include((supervision_patterns, "supervision"))),
    path("", include((licence_patterns, "licences"))),
]
