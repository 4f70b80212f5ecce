from django.apps import AppConfig


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = "计划与报表"

    def ready(self):
        from reporting import workbench

        workbench.register_all()  # the bureau's workbench lines on the admin front page (issue 11)
