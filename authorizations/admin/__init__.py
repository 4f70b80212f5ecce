from . import applications, certificates, catalogue, events, stations, users  # noqa: F401
