from inspections.models import SupervisionEvent


def record(
    station, *, subject: str, label: str, by, before: str = "", after: str = "", note: str = ""
) -> SupervisionEvent:
    """Write the step's event in the caller's transaction, so a rolled-back step leaves no trace either."""
    return SupervisionEvent.objects.create(
        station=station,
        subject=subject[:100],
        action_label=label,
        from_state=before,
        to_state=after,
        by=by if getattr(by, "pk", None) else None,
        note=note,
    )
