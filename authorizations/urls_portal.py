from django.urls import path

from authorizations.views import portal

app_name = "portal"
urlpatterns = [
    path("", portal.index, name="index"),
    path("applications/", portal.application_list, name="application_list"),
    path("applications/new/", portal.application_create, name="application_create"),
    path("applications/<int:pk>/", portal.application_detail, name="application_detail"),
    path("applications/<int:pk>/materials/", portal.application_material, name="application_material"),
    path(
        "applications/<int:pk>/materials/<int:material>/",
        portal.application_material_download,
        name="application_material_download",
    ),
    path("applications/<int:pk>/preparation/", portal.application_preparation, name="application_preparation"),
    path(
        "applications/<int:pk>/request-assessment/",
        portal.application_request_assessment,
        name="application_request_assessment",
    ),
    path("applications/<int:pk>/documents/<slug:kind>.pdf", portal.application_document, name="application_document"),
    path("certificates/<int:pk>/", portal.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/documents/<slug:kind>.pdf", portal.certificate_document, name="certificate_document"),
    path("termination/new/", portal.termination_create, name="termination_create"),
    path("history/", portal.event_list, name="event_list"),
]
