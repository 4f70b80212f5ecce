"""Inspections reuse the one station-ownership rule (zzmetro.querysets)."""

from zzmetro.querysets import StationOwnedQuerySet

__all__ = ["StationOwnedQuerySet"]
