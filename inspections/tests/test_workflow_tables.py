"""Every move of every supervision table, allowed or refused (DOMAIN A12 applied to I1, I2, I5–I8).

For each stateful supervision model and every pair (from, to) of its states — "" being a row not yet created —
an allowed move saves the new state and writes exactly one event about that row; a refused one says which state
the row is in and writes nothing.
"""

import datetime as dt

import pytest
from django.contrib import admin

from authorizations.tests.factories import StationFactory
from inspections.models import (
    AnnualEvaluation,
    Complaint,
    Inspection,
    IntegrityEvaluation,
    Rectification,
    SampleDraw,
    SupervisionEvent,
    Violation,
)
from zzmetro.errors import DomainError
from zzmetro.workflow import table, transition

from .factories import (
    AnnualEvaluationFactory,
    ComplaintFactory,
    InspectionFactory,
    IntegrityEvaluationFactory,
    RectificationFactory,
    SampleDrawFactory,
    SupervisionPlanFactory,
    ViolationFactory,
)

pytestmark = pytest.mark.django_db

# model → (its factory, the saved rows a new one hangs on)
FACTORIES = {
    Inspection: (InspectionFactory, lambda: {"station": StationFactory()}),
    Rectification: (RectificationFactory, lambda: {"inspection": InspectionFactory(recorded=True)}),
    SampleDraw: (SampleDrawFactory, lambda: {"plan": SupervisionPlanFactory(), "station": StationFactory()}),
    Complaint: (ComplaintFactory, lambda: {"station": StationFactory()}),
    AnnualEvaluation: (AnnualEvaluationFactory, lambda: {"station": StationFactory()}),
    IntegrityEvaluation: (IntegrityEvaluationFactory, lambda: {"station": StationFactory()}),
    Violation: (ViolationFactory, lambda: {"station": StationFactory()}),
}

# What the service sets with a move, where the row cannot be in the new state without it.
ALONG = {(Rectification, Rectification.Status.CLOSED): {"closed_on": dt.date(2026, 6, 25)}}


def _states(model) -> list[str]:
    workflow = table(model)
    created = any(move.opens_from("") for move in workflow.moves)
    return ([""] if created else []) + workflow.states()


def _pairs():
    for model in FACTORIES:
        workflow = table(model)
        for source in _states(model):
            for target in workflow.states():
                allowed = any(m.target == target and m.opens_from(source) for m in workflow.moves)
                yield pytest.param(model, source, target, allowed, id=f"{model.__name__}:{source or 'new'}->{target}")


def _row_in(model, state: str):
    factory, relations = FACTORIES[model]
    if state == "":
        return factory.build(**relations(), status="")
    return factory(**{state: True})


def test_every_stateful_supervision_model_is_walked():
    """A12: no supervision table escapes the walk below."""
    from zzmetro.workflow import stateful_models

    supervision = {m for m in stateful_models() if table(m).events == "inspections.SupervisionEvent"}
    assert supervision == set(FACTORIES)


@pytest.mark.parametrize(("model", "source", "target", "allowed"), list(_pairs()))
def test_a_move_the_table_allows_writes_one_event_and_a_refused_one_names_the_state(
    model, source, target, allowed, bureau
):
    """A12: allowed → the new state and exactly one event about the row; refused → the current state named, no event."""
    row = _row_in(model, source)
    events = SupervisionEvent.objects.count()
    if allowed:
        along = ALONG.get((model, target), {})
        for field, value in along.items():
            setattr(row, field, value)
        transition(row, to=target, by=bureau, note="表内移动", update_fields=list(along))
        assert SupervisionEvent.objects.count() == events + 1
        event = SupervisionEvent.objects.first()
        assert (event.subject, event.from_status, event.to_status, event.by) == (row, source, target, bureau)
        assert event.station == row.inspection.station if model is Rectification else event.station == row.station
        assert model.objects.get(pk=row.pk).status == target
    else:
        label = table(model).state_label(source)
        with pytest.raises(DomainError, match=f"当前状态为“{label}”"):
            transition(row, to=target, by=bureau)
        assert SupervisionEvent.objects.count() == events
        if row.pk is not None:
            assert model.objects.get(pk=row.pk).status == source


def test_every_admin_button_of_a_supervision_model_names_a_move_of_its_table():
    """A12: the admin offers exactly the moves the table allows — each button names the state it moves to."""
    for model in FACTORIES:
        model_admin = admin.site._registry.get(model)
        targets = {move.target for move in table(model).moves}
        for button in getattr(model_admin, "transitions", ()):
            assert button.to in targets, f"{model.__name__}: {button.label}"
