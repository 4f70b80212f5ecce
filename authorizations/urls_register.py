from django.urls import path

from authorizations.views import register

app_name = "register"
urlpatterns = [
    path("", register.index, name="index"),
    path("revoked/", register.revoked, name="revoked"),
    path("certificates/<str:number>/", register.certificate, name="certificate"),
]
