from . import cases, licences, onsite, sampling  # noqa: F401
