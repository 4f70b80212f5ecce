from django.urls import path

from inspections import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/notice.pdf", views.rectification_document, name="rectification_document"),
    path("samples/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("evaluations/<int:pk>/notice.pdf", views.evaluation_document, name="evaluation_document"),
    path("violations/<int:pk>/notice.pdf", views.violation_document, name="violation_document"),
]
