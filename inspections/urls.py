from django.urls import path

from inspections.views import licences, supervision

app_name = "supervision"
urlpatterns = [
    path("", supervision.index, name="index"),
    path("rectifications/<int:pk>/", supervision.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/notice.pdf", supervision.rectification_document, name="rectification_document"),
    path("samples/<int:pk>/", supervision.draw_detail, name="draw_detail"),
    path("complaints/new/", supervision.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", supervision.complaint_detail, name="complaint_detail"),
    path("evaluations/<int:pk>/notice.pdf", supervision.evaluation_document, name="evaluation_document"),
    path("violations/<int:pk>/notice.pdf", supervision.violation_document, name="violation_document"),
    # The licence register (S2): bureau staff and managers only, reached from the admin's lists.
    path("licences/import/<str:kind>/", licences.register_import, name="licence_import"),
    path("licences/import/<str:kind>/template.xlsx", licences.import_template, name="licence_import_template"),
    path("licences/export.xlsx", licences.licence_export, name="licence_export"),
    path("licences/findings/export.xlsx", licences.finding_export, name="finding_export"),
    path("licences/inspection/", licences.inspection_documents, name="licence_documents"),
    path("licences/inspection/attachment1.xlsx", licences.survey_download, name="licence_survey"),
    path("licences/inspection/attachment2.xlsx", licences.administrators_download, name="licence_administrators"),
    path("licences/inspection/summary.pdf", licences.summary_download, name="licence_summary"),
]
