from . import cases, onsite, sampling  # noqa: F401
