"""Every move of every reporting table, allowed or refused (DOMAIN A12, M4; P1 plans, M6 quarterly, Q4 flags).

For each stateful model of the app (annual plans, monthly reports, quarterly analyses, data-quality flags) and
every pair (from, to) of
its states, an allowed move saves the new state and writes exactly one event about that row, with both states as
codes and as the labels users read; a refused one says which state the row is in and writes nothing.
"""

import pytest
from django.contrib import admin

from authorizations.tests.factories import UserFactory
from reporting.models import AnnualPlan, MonthlyReport, QualityFlag, QuarterlyAnalysis
from zzmetro.errors import DomainError
from zzmetro.workflow import stateful_models, table, transition

from .factories import AnnualPlanFactory, MonthlyReportFactory, QualityFlagFactory, QuarterlyAnalysisFactory

pytestmark = pytest.mark.django_db

FACTORIES = {
    AnnualPlan: AnnualPlanFactory,
    MonthlyReport: MonthlyReportFactory,
    QuarterlyAnalysis: QuarterlyAnalysisFactory,
    QualityFlag: QualityFlagFactory,
}


def _pairs():
    for model in FACTORIES:
        workflow = table(model)
        for source in workflow.states():
            for target in workflow.states():
                allowed = any(m.target == target and m.opens_from(source) for m in workflow.moves)
                yield pytest.param(model, source, target, allowed, id=f"{model.__name__}:{source}->{target}")


def _events(obj):
    events = table(obj).event_model().objects
    return events.filter(subject_id=obj.pk, subject_type__model=obj._meta.model_name)


def test_every_stateful_reporting_model_is_walked():
    """A12: no reporting table escapes the walk below."""
    assert {m for m in stateful_models() if m._meta.app_label == "reporting"} == set(FACTORIES)


@pytest.mark.parametrize(("model", "source", "target", "allowed"), list(_pairs()))
def test_each_move_is_allowed_with_one_event_or_refused_naming_the_state(model, source, target, allowed):
    """A12, M4: allowed → the row is in `target` and exactly one event records from/to; refused → DomainError
    naming the current state, the row unchanged and no event."""
    obj = FACTORIES[model](**{source: True})
    bureau = UserFactory(bureau=True)
    workflow = table(model)
    if allowed:
        event = transition(obj, to=target, by=bureau, note="表内转换")
        obj.refresh_from_db()
        assert obj.status == target
        assert list(_events(obj)) == [event]
        assert (event.from_status, event.to_status) == (source, target)
        assert (event.from_state, event.to_state) == (workflow.state_label(source), workflow.state_label(target))
        assert event.station_id == obj.station_id and event.by == bureau and event.subject == obj
    else:
        with pytest.raises(DomainError) as refusal:
            transition(obj, to=target, by=bureau)
        assert f"当前状态为“{workflow.state_label(source)}”" in str(refusal.value)
        obj.refresh_from_db()
        assert obj.status == source
        assert not _events(obj).exists()


def test_plan_and_report_events_keep_their_own_columns():
    """M4: a plan's events hang on the plan and a report's on the report, as the history lists read them."""
    bureau = UserFactory(bureau=True)
    plan, report = AnnualPlanFactory(submitted=True), MonthlyReportFactory(submitted=True)
    transition(plan, to=AnnualPlan.Status.APPROVED, by=bureau)
    transition(report, to=MonthlyReport.Status.REOPENED, by=bureau)
    assert [e.action for e in plan.events.all()] == ["approve"]
    assert [e.action for e in report.events.all()] == ["reopen"]


def test_admin_buttons_show_exactly_the_moves_the_table_allows(rf):
    """A12: the admin offers a plan's or report's button only in a state its table lets it leave that way."""
    for model, factory in ((AnnualPlan, AnnualPlanFactory), (MonthlyReport, MonthlyReportFactory)):
        model_admin = admin.site._registry[model]
        for state in table(model).states():
            obj = factory(**{state: True})
            shown = {t.to for t in model_admin.transitions if t.is_open(obj)}
            assert shown == {t.to for t in model_admin.transitions if table(model).move(obj, t.to)}
            assert all(t.to for t in model_admin.transitions)
