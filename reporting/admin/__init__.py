from . import archive, plans, reports  # noqa: F401
