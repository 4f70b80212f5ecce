"""Every move of every transition table of the authorizations app, allowed or not (DOMAIN A12)."""

import datetime as dt

import pytest
from django.contrib import admin

from authorizations.models import Application, Certificate, LifecycleEvent, TerminationRequest
from zzmetro.errors import DomainError
from zzmetro.workflow import stateful_models, table, transition

from .factories import ApplicationFactory, CertificateFactory, TerminationRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

FACTORIES = {
    Application: ApplicationFactory,
    Certificate: CertificateFactory,
    TerminationRequest: TerminationRequestFactory,
}
# What the service fills together with the move, where the database insists on it (a revocation has its decision).
WITH_MOVE = {(Certificate, Certificate.Status.REVOKED): {"revoked_on": dt.date(2026, 3, 1)}}
PAIRS = [
    pytest.param(model, source, target, id=f"{model.__name__}:{source}->{target}")
    for model in FACTORIES
    for source in table(model).states()
    for target in table(model).states()
]


def test_every_stateful_model_of_the_app_is_walked():
    """A12: a new table in this app cannot escape the walk below."""
    assert {m for m in stateful_models() if m._meta.app_label == "authorizations"} == set(FACTORIES)


@pytest.mark.parametrize("model, source, target", PAIRS)
def test_a_move_the_table_allows_writes_one_event_and_any_other_is_refused_naming_the_state(model, source, target):
    """A12: every state change is one recorded event (who, from, to, in codes and as read); an illegal move is
    refused with a message naming the current state, and leaves neither a change nor an event behind."""
    workflow = table(model)
    obj = FACTORIES[model](**{source: True})
    assert workflow.state(obj) == source
    bureau = UserFactory(bureau=True)
    before = set(LifecycleEvent.objects.values_list("pk", flat=True))
    move = workflow.move(obj, target)

    if move is None:
        with pytest.raises(DomainError) as refusal:
            transition(obj, to=target, by=bureau)
        assert f"当前状态为“{workflow.state_label(source)}”" in refusal.value.message
        assert LifecycleEvent.objects.exclude(pk__in=before).count() == 0
        obj.refresh_from_db()
        assert workflow.state(obj) == source
        return

    fields = WITH_MOVE.get((model, target), {})
    for name, value in fields.items():
        setattr(obj, name, value)
    transition(obj, to=target, by=bureau, note="表内迁移", update_fields=fields)
    new = list(LifecycleEvent.objects.exclude(pk__in=before))
    assert len(new) == 1
    event = new[0]
    assert (event.action, event.action_label) == (move.action, move.label)
    assert (event.from_status, event.to_status) == (source, target)
    assert (event.from_state, event.to_state) == (workflow.state_label(source), workflow.state_label(target))
    assert (event.subject, event.by, event.note) == (obj, bureau, "表内迁移")
    obj.refresh_from_db()
    assert workflow.state(obj) == target


# Moves whose button is elsewhere: the station requests assessment in its portal (A3), and a certificate is
# terminated only by approving the station's written report (A9), on the report's page.
OFFERED_ELSEWHERE = {(Application, "request_assessment"), (Certificate, "termination_approve")}
STATES = [
    pytest.param(model, state, id=f"{model.__name__}:{state}") for model in FACTORIES for state in table(model).states()
]


@pytest.mark.parametrize("model, state", STATES)
def test_the_admin_offers_exactly_the_moves_the_table_opens(model, state):
    """A12: staff see a button for every move open in the row's state and for no other."""
    obj = FACTORIES[model](**{state: True})
    model_admin = admin.site._registry[model]
    offered = {table(obj).move(obj, t.to).action for t in model_admin.transitions if t.to and t.is_open(obj)}
    opened = {m.action for m in table(obj).open_moves(obj) if (model, m.action) not in OFFERED_ELSEWHERE}
    assert offered == opened
