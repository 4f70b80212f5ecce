from .dashboard import dashboard, home

__all__ = ["dashboard", "home"]
