from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel every app stands on; its own tables are infrastructure (the mail outbox, the security audit log)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "zzmetro"
    verbose_name = "系统"

    def ready(self):
        from django.db.models.signals import post_migrate

        from zzmetro import (
            audit,  # noqa: F401 - connects the security-audit receivers (DOMAIN G2)
            pagecache,
            workbench,
        )

        # After every migrate (and test flush) each table gets the trigger that journals its changes for kept pages.
        post_migrate.connect(pagecache.on_post_migrate, sender=self, dispatch_uid="zzmetro-page-journal")

        workbench.register_kernel()  # each app registers its own workbench lines from its ready()
