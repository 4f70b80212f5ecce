from django.urls import path

from authorizations.views import resources

app_name = "resources"
urlpatterns = [
    path("", resources.index, name="index"),
    path("standards/new/", resources.standard_create, name="standard_create"),
    path("standards/<int:pk>/", resources.standard_edit, name="standard_edit"),
    path("personnel/new/", resources.person_create, name="person_create"),
    path("personnel/<int:pk>/", resources.person_edit, name="person_edit"),
]
