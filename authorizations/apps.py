from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "authorizations"
    verbose_name = "计量授权"

    def ready(self):
        from authorizations import (
            signals,  # noqa: F401 - account events for the security audit log (DOMAIN G2)
            workbench,
        )

        workbench.register_all()  # the bureau's workbench lines on the admin front page (issue 11)
