from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel every app stands on; its own tables are infrastructure (the mail outbox)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "zzmetro"
    verbose_name = "系统"
