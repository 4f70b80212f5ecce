from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel every app stands on; its own tables are infrastructure (the mail outbox, the security audit log)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "zzmetro"
    verbose_name = "系统"

    def ready(self):
        from zzmetro import (
            audit,  # noqa: F401 - connects the security-audit receivers (DOMAIN G2)
            workbench,
        )

        workbench.register_kernel()  # each app registers its own workbench lines from its ready()
