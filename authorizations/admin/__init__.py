from . import applications, certificates, catalogue, events, resources, stations, users  # noqa: F401
