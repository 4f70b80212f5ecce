from .dashboard import home  # the dashboard itself is inspections.views.dashboard (it reads every app)

__all__ = ["home"]
