from django.urls import path

from inspections.views import supervision

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
]
