"""Every URL of the authorizations app, by area: `portal_urls` at /portal/ (namespace "portal"), `resources_urls` at
/portal/resources/ ("resources"), `register_urls` at /register/ ("register"); zzmetro/urls.py includes this module at
the root."""

from django.urls import include, path

from authorizations.views import portal, register, resources

portal_urls = [
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

resources_urls = [
    path("", resources.index, name="index"),
    path("standards/new/", resources.standard_create, name="standard_create"),
    path("standards/<int:pk>/", resources.standard_edit, name="standard_edit"),
    path("personnel/new/", resources.person_create, name="person_create"),
    path("personnel/<int:pk>/", resources.person_edit, name="person_edit"),
]

register_urls = [
    path("", register.index, name="index"),
    path("revoked/", register.revoked, name="revoked"),
    path("certificates/<str:number>/", register.certificate, name="certificate"),
]

# Included once by zzmetro/urls.py at the root: the prefixes and namespaces live here.
urlpatterns = [
    path("portal/", include((portal_urls, "portal"))),
    path("portal/resources/", include((resources_urls, "resources"))),
    path("register/", include((register_urls, "register"))),
]
