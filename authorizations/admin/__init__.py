from . import applications, catalogue, certificates, events, resources, stations, users  # noqa: F401
