from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inspections"
    verbose_name = "监督检查"

    def ready(self):
        from inspections import workbench

        workbench.register_all()  # the bureau's workbench lines on the admin front page (issue 11)
