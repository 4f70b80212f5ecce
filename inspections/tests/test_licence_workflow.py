"""The licence register's transition tables and its history (DOMAIN A12, L2, L5)."""

import datetime as dt

import pytest

from inspections.models import LicenceEvent, LicenceFinding, LicenceVersion, ManufacturingLicence
from inspections.services import licences
from inspections.services.licence_checks import run_checks
from inspections.services.licences import Publicity, Scope
from zzmetro import workflow
from zzmetro.errors import DomainError

from .test_licence_checks import electricity, grant, manufacturer

pytestmark = pytest.mark.django_db
D = dt.date
Licence = ManufacturingLicence.Status
Finding = LicenceFinding.Status

LICENCE_MOVES = {
    Licence.CHANGED: lambda licence, by: licences.licence_change(
        licence=licence, decided_on=D(2024, 6, 3), summary="企业名称变更", by=by
    ),
    Licence.CANCELLED: lambda licence, by: licences.licence_cancel(
        licence=licence, decided_on=D(2024, 6, 3), reason="企业申请注销", by=by
    ),
    Licence.REVOKED: lambda licence, by: licences.licence_revoke(
        licence=licence, decided_on=D(2024, 6, 3), reason="超越法定职权作出许可", by=by
    ),
}
FINDING_MOVES = {
    Finding.CONFIRMED: lambda finding, by: licences.finding_confirm(finding=finding, by=by, note="属实"),
    Finding.EXPLAINED: lambda finding, by: licences.finding_explain(finding=finding, by=by, note="数据补录后符合"),
}


def licence_in(state, n=1):
    licence = grant(manufacturer(n), number=f"(豫)制{n:08d}号")
    if state != Licence.GRANTED:
        LICENCE_MOVES[state](licence, None)
    return licence


def finding_in(state, n=1):
    licence = grant(manufacturer(n), number=f"(豫)制{n:08d}号", model="X9", approvals=[])
    run_checks(today=D(2024, 12, 31))
    finding = licence.findings.get()
    if state != Finding.OPEN:
        FINDING_MOVES[state](finding, None)
    return finding


@pytest.mark.parametrize("source", [Licence.GRANTED, Licence.CHANGED, Licence.CANCELLED, Licence.REVOKED])
@pytest.mark.parametrize("target", list(LICENCE_MOVES))
def test_every_licence_move_the_table_allows_writes_one_event_and_every_other_is_refused(source, target, bureau):
    """A12, L5: from each state, a move the table allows writes exactly one event; any other is refused with a
    message naming the current state, and writes nothing."""
    licence = licence_in(source)
    events = LicenceEvent.objects.count()
    if workflow.can(licence, target):
        LICENCE_MOVES[target](licence, bureau)
        licence.refresh_from_db()
        assert licence.status == target and LicenceEvent.objects.count() == events + 1
        event = LicenceEvent.objects.filter(licence=licence).first()
        assert (event.from_status, event.to_status, event.by) == (source, target, bureau)
    else:
        label = dict(Licence.choices)[source]
        with pytest.raises(DomainError, match=f"当前状态为“{label}”"):
            LICENCE_MOVES[target](licence, bureau)
        assert LicenceEvent.objects.count() == events


@pytest.mark.parametrize("source", list(Finding))
@pytest.mark.parametrize("target", list(FINDING_MOVES))
def test_every_finding_move_the_table_allows_writes_one_event_and_every_other_is_refused(source, target, bureau):
    """A12, L3: staff confirm or explain a finding, each an event; a move the table lacks is refused."""
    finding = finding_in(source)
    events = LicenceEvent.objects.count()
    if workflow.can(finding, target):
        FINDING_MOVES[target](finding, bureau)
        finding.refresh_from_db()
        assert finding.status == target and LicenceEvent.objects.count() == events + 1
        assert LicenceEvent.objects.filter(finding=finding).first().to_status == target
    else:
        label = dict(Finding.choices)[source]
        with pytest.raises(DomainError, match=f"当前状态为“{label}”"):
            FINDING_MOVES[target](finding, bureau)
        assert LicenceEvent.objects.count() == events


def test_a_second_grant_of_a_recorded_licence_is_refused():
    """A12: a licence is granted once; granting its number again is refused."""
    licence = licence_in(Licence.GRANTED)
    with pytest.raises(DomainError, match="已登记"):
        grant(licence.holder, number=licence.number)


def test_the_licence_history_keeps_every_version_as_decided(bureau):
    """L2, L5: grant, change and cancellation each leave a version with the licence as it then stood."""
    licence = licence_in(Licence.GRANTED)
    licences.licence_change(
        licence=licence,
        decided_on=D(2024, 5, 6),
        summary="增加型号DDS888",
        scope=[Scope(electricity(), "DDS666", "5(60)A"), Scope(electricity(), "DDS888", "10(100)A")],
        by=bureau,
        publicity=Publicity(D(2024, 5, 10), "website", D(2024, 5, 11)),
    )
    licences.licence_cancel(licence=licence, decided_on=D(2024, 9, 2), reason="企业申请注销", by=bureau)
    versions = list(licence.versions.order_by("sequence"))
    assert [v.kind for v in versions] == ["grant", "change", "cancel"]
    assert [len(v.snapshot["许可范围"]) for v in versions] == [1, 2, 2]
    assert versions[0].snapshot["状态"] == "已核准" and versions[2].snapshot["状态"] == "已注销"
    licence.refresh_from_db()
    assert licence.ended_on == D(2024, 9, 2)
    assert list(licence.events.values_list("action", flat=True)) == ["cancel", "change", "grant"]


def test_a_decision_dated_before_the_previous_one_is_refused():
    """L2: versions follow each other; a change dated before the grant is refused and writes nothing."""
    licence = licence_in(Licence.GRANTED)
    with pytest.raises(DomainError, match="不能早于上一次决定"):
        licences.licence_change(licence=licence, decided_on=D(2024, 1, 2), summary="更正", by=None)
    assert LicenceVersion.objects.filter(licence=licence).count() == 1


def test_recording_the_announcement_later_writes_an_event_and_clears_the_finding(bureau):
    """L3d, A12: the announcement recorded after the decision is an event; the next check finds nothing late."""
    licence = grant(publicity=Publicity())
    run_checks(today=D(2024, 12, 31))
    assert licence.findings.filter(rule=LicenceFinding.Rule.ANNOUNCEMENT).exists()
    version = licence.versions.get()
    licences.version_record_publicity(
        version=version, publicity=Publicity(D(2024, 2, 20), "website", D(2024, 2, 21)), by=bureau
    )
    assert licence.events.filter(action="publicity").exists()
    run_checks(today=D(2024, 12, 31))
    assert not licence.findings.exists()


def test_an_explanation_needs_words():
    """L3: an explained finding no longer counts (L4), so the explanation cannot be empty."""
    finding = finding_in(Finding.OPEN)
    with pytest.raises(DomainError, match="请填写情况说明"):
        licences.finding_explain(finding=finding, by=None, note=" ")


def _states(model) -> list[str]:
    workflow_table = workflow.table(model)
    created = any(move.opens_from("") for move in workflow_table.moves)
    return ([""] if created else []) + workflow_table.states()


def _pairs():
    for model in (ManufacturingLicence, LicenceFinding):
        moves = workflow.table(model).moves
        for source in _states(model):
            for target in workflow.table(model).states():
                allowed = any(m.target == target and m.opens_from(source) for m in moves)
                yield pytest.param(model, source, target, allowed, id=f"{model.__name__}:{source or 'new'}->{target}")


def _row_in(model, state: str):
    if model is ManufacturingLicence and state == "":
        return ManufacturingLicence(
            number="(豫)制99999999号", holder=manufacturer(9), department="处", level="province",
            accepted_on=D(2024, 1, 2), decided_on=D(2024, 1, 30),
        )  # fmt: skip
    row = licence_in(Licence.GRANTED) if model is ManufacturingLicence else finding_in(Finding.OPEN)
    model.objects.filter(pk=row.pk).update(status=state)  # set up the state directly, as a factory would
    row.refresh_from_db()
    return row


@pytest.mark.parametrize(("model", "source", "target", "allowed"), list(_pairs()))
def test_every_pair_of_states_moves_with_one_event_or_is_refused_naming_the_state(
    model, source, target, allowed, bureau
):
    """A12: for every (from, to) of the licence and finding tables — "" a licence not yet recorded — an allowed move
    saves the new state and writes exactly one event about the row; a refused one names the current state and
    writes nothing."""
    row = _row_in(model, source)
    events = LicenceEvent.objects.count()
    if allowed:
        workflow.transition(row, to=target, by=bureau, note="表内移动")
        event = LicenceEvent.objects.first()
        assert LicenceEvent.objects.count() == events + 1
        assert (event.subject, event.from_status, event.to_status, event.by) == (row, source, target, bureau)
        assert model.objects.get(pk=row.pk).status == target
    else:
        label = workflow.table(model).state_label(source)
        with pytest.raises(DomainError, match=f"当前状态为“{label}”"):
            workflow.transition(row, to=target, by=bureau)
        assert LicenceEvent.objects.count() == events


def test_every_admin_button_names_a_move_of_its_table():
    """A12: a state-changing admin button names the state it moves to, so it shows exactly when the table allows."""
    from django.contrib import admin

    for model in (ManufacturingLicence, LicenceFinding):
        targets = {move.target for move in workflow.table(model).moves}
        buttons = admin.site._registry[model].transitions
        assert {b.to for b in buttons if b.to} <= targets
        assert all(b.available is not None for b in buttons if not b.to)  # record-only steps, always an event


@pytest.mark.parametrize("state", list(Licence))
def test_the_licence_factory_puts_a_row_in_each_state_of_its_table(state):
    """A12: one trait per state, so a test can start anywhere in the table."""
    from .factories import ManufacturingLicenceFactory

    licence = ManufacturingLicenceFactory(**{state: True})
    assert licence.status == state and licence.scope_lines.count() == 1
    assert workflow.table(licence).open_moves(licence) == [
        m for m in workflow.table(licence).moves if m.opens_from(state)
    ]


@pytest.mark.parametrize("state", list(Finding))
def test_the_finding_factory_puts_a_row_in_each_state_of_its_table(state):
    """A12, L3: one trait per finding state."""
    from .factories import LicenceFindingFactory

    assert LicenceFindingFactory(**{state: True}).status == state
