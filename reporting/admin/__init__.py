from . import archive, plans, quality, reports  # noqa: F401
