"""Re-verification sampling: ratios, sample sizes, the seeded weighted draw and results (DOMAIN I2–I4)."""

import datetime as dt
from decimal import Decimal

import pytest

from authorizations.tests.factories import CertificateFactory, StationFactory
from inspections.models import SampleDraw, SampleItem, SamplingRatio
from inspections.services import sampling
from reporting.models import InstrumentUse, Verification
from zzmetro.errors import DomainError

from .factories import default_policies, issued_plan, make_verifications, supervision_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies():
    return default_policies()


@pytest.mark.parametrize(
    ("rate", "ratio"),
    [("100", "10"), ("98.00", "10"), ("97.99", "15"), ("95.00", "15"), ("94.99", "20"), ("0", "20"), (None, "10")],
)
def test_pass_rate_decides_the_sampling_ratio(policies, rate, ratio):
    """I3: ≥98 % or no data → 10 %; 95–98 % → 15 %; below 95 % → 20 %; 98.0 % exactly is not below 98 %."""
    rate = None if rate is None else Decimal(rate)
    assert sampling.policy_for(rate, policies).ratio_percent == Decimal(ratio)


def test_a_pass_rate_just_under_98_is_never_rounded_up_to_98():
    """I3: 19599 of 20000 is 97.995 %, which is below 98 %."""
    assert sampling.pass_rate(19599, 20000) == Decimal("97.9950")
    assert sampling.policy_for(sampling.pass_rate(19599, 20000), default_policies()).ratio_percent == Decimal("15")


@pytest.mark.parametrize(
    ("total", "ratio", "size"),
    [(15, "10", 2), (10, "10", 1), (0, "10", 0), (1, "10", 1), (100, "15", 15), (101, "20", 21)],
)
def test_sample_is_at_least_the_ratio_of_the_plan_rounded_up(total, ratio, size):
    """I2: ≥ 10 % of the annual plan, rounded up; at least 1 if the plan is not empty; an empty plan → 0."""
    assert sampling.sample_size(total, Decimal(ratio)) == size


def test_missing_policy_rows_are_reported_not_guessed():
    """I3: without policy rows the job stops with a message telling staff what to fill in."""
    with pytest.raises(DomainError, match="抽样比例政策"):
        sampling.policy_for(None, [])


def _results(draw_year_station, qualified: int, unqualified: int = 0, refused: int = 0):
    station, year = draw_year_station
    ids = make_verifications(station, year=year, count=qualified + unqualified + refused)
    draw = SampleDraw.objects.create(
        plan=supervision_plan(year), station=station, seed=1, size=len(ids), population=len(ids), trade_population=0
    )
    results = ["qualified"] * qualified + ["unqualified"] * unqualified + ["refused"] * refused
    SampleItem.objects.bulk_create(SampleItem(draw=draw, verification_id=i, result=r) for i, r in zip(ids, results))


def test_ratio_job_stores_each_station_with_the_numbers_behind_it(policies):
    """I2, I3: last year's results and this year's issued plan give the stored ratio and sample size."""
    good, weak, new = (CertificateFactory(issued_on=dt.date(2024, 6, 1)).station for _ in range(3))
    _results((good, 2026), qualified=50)
    _results((weak, 2026), qualified=48, unqualified=1, refused=1)  # 96 %: refused counts as failed
    for station in (good, weak, new):
        issued_plan(station, year=2027, counts=[10, 5])
    assert sampling.compute_sampling_ratios(year=2027) == 3
    rows = {r.station_id: r for r in SamplingRatio.objects.filter(year=2027)}
    assert (rows[good.pk].previous_pass_rate, rows[good.pk].ratio_percent, rows[good.pk].sample_size) == (
        Decimal("100"),
        10,
        2,
    )
    assert (rows[weak.pk].previous_tested, rows[weak.pk].previous_passed) == (50, 48)
    assert (rows[weak.pk].previous_pass_rate, rows[weak.pk].ratio_percent, rows[weak.pk].sample_size) == (
        Decimal("96"),
        15,
        3,
    )
    assert (rows[new.pk].previous_pass_rate, rows[new.pk].ratio_percent, rows[new.pk].plan_total) == (None, 10, 15)
    assert "≥98" in rows[good.pk].policy


def test_running_the_ratio_job_twice_updates_instead_of_duplicating(policies):
    """I3: the job is idempotent; a changed plan is picked up on the second run."""
    station = CertificateFactory(issued_on=dt.date(2026, 1, 1)).station
    plan = issued_plan(station, year=2027, counts=[10])
    sampling.compute_sampling_ratios(year=2027)
    plan.lines.update(planned_count=40)
    sampling.compute_sampling_ratios(year=2027)
    ratio = SamplingRatio.objects.get(station=station, year=2027)
    assert (ratio.plan_total, ratio.sample_size) == (40, 4)


def test_ratio_job_query_count_does_not_grow_with_stations(policies, django_assert_max_num_queries):
    """I3: a bounded number of queries for any number of stations."""
    for _ in range(12):
        issued_plan(CertificateFactory(issued_on=dt.date(2026, 1, 1)).station, year=2027, counts=[20])
    with django_assert_max_num_queries(8):
        sampling.compute_sampling_ratios(year=2027)


@pytest.fixture
def station_with_archive(policies):
    station = CertificateFactory(issued_on=dt.date(2025, 1, 1)).station
    make_verifications(station, year=2026, count=400, trade_share=0.5)
    make_verifications(station, year=2025, count=50)  # another year: never drawn for 2026
    SamplingRatio.objects.create(
        year=2026, station=station, ratio_percent=10, policy="test", plan_total=400, sample_size=40
    )
    return station


def test_the_same_seed_draws_the_same_sample(station_with_archive):
    """I4: an auditor re-running the draw with the stored seed gets the same instruments."""
    first = sampling.draw_ids(station_id=station_with_archive.pk, year=2026, seed=20261122, size=40)
    again = sampling.draw_ids(station_id=station_with_archive.pk, year=2026, seed=20261122, size=40)
    other = sampling.draw_ids(station_id=station_with_archive.pk, year=2026, seed=7, size=40)
    assert first == again and len(first) == 40
    assert set(first) != set(other)
    assert Verification.objects.filter(pk__in=first, verified_on__year=2026).count() == 40


def test_the_database_draw_matches_the_published_key_formula(station_with_archive):
    """I4: hashint8extended(id, seed) gives every record its key; anyone can recompute the sample outside the portal."""
    seed = 99
    drawn = sampling.draw_ids(station_id=station_with_archive.pk, year=2026, seed=seed, size=40)
    population = Verification.objects.filter(station=station_with_archive, verified_on__year=2026).values_list(
        "id", "use"
    )
    by_key = sorted(
        population, key=lambda r: sampling.sample_key(seed, r[0], trade=r[1] == InstrumentUse.TRADE), reverse=True
    )
    assert drawn == [r[0] for r in by_key[:40]]


def test_trade_settlement_instruments_are_over_represented(station_with_archive):
    """I4: with half the population in trade settlement and weight 3, clearly more than half the sample is trade."""
    shares = []
    for seed in range(5):
        ids = sampling.draw_ids(station_id=station_with_archive.pk, year=2026, seed=seed, size=40)
        shares.append(Verification.objects.filter(pk__in=ids, use=InstrumentUse.TRADE).count() / 40)
    assert sum(shares) / len(shares) > 0.62


def test_draw_stores_seed_size_and_population(station_with_archive, bureau):
    """I2, I4: the draw keeps its seed and what it was drawn from; a second draw for the same plan is refused."""
    plan = supervision_plan(2026)
    draw = sampling.sample_draw(plan=plan, station=station_with_archive, by=bureau, seed=123)
    assert (draw.seed, draw.size, draw.population, draw.trade_population) == (123, 40, 400, 200)
    assert draw.items.count() == 40
    with pytest.raises(DomainError, match="已抽取"):
        sampling.sample_draw(plan=plan, station=station_with_archive, by=bureau)


def test_draw_needs_the_ratio_job_first(policies, bureau):
    station = StationFactory()
    with pytest.raises(DomainError, match="尚未计算"):
        sampling.sample_draw(plan=supervision_plan(2026), station=station, by=bureau)


def test_refused_samples_count_as_failed_and_the_station_is_notified_by_email(
    station_with_archive, bureau, mailoutbox, django_capture_on_commit_callbacks
):
    """I2: refusing to cooperate counts as failed; results go to the station once all are in."""
    draw = sampling.sample_draw(plan=supervision_plan(2026), station=station_with_archive, by=bureau, seed=5)
    items = list(draw.items.all())
    with pytest.raises(DomainError, match="还有40台件没有复核结果"):
        sampling.sample_notify(draw=draw, by=bureau, notified_on=dt.date(2026, 12, 1))
    for n, item in enumerate(items):
        result = "refused" if n == 0 else "unqualified" if n == 1 else "qualified"
        sampling.sample_record_result(item=item, by=bureau, result=result, recorded_on=dt.date(2026, 11, 30))
    results = sampling.draw_results(draw)
    assert (results["tested"], results["passed"], results["failed"], results["pass_rate"]) == (40, 38, 2, Decimal("95"))
    with django_capture_on_commit_callbacks(execute=True):
        sampling.sample_notify(draw=draw, by=bureau, notified_on=dt.date(2026, 12, 1))
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "合格38台件" in body and "拒不配合按不合格计1台件" in body and "合格率95.00%" in body
    with pytest.raises(DomainError, match="不能再修改"):
        sampling.sample_record_result(item=items[2], by=bureau, result="unqualified", recorded_on=dt.date(2026, 12, 2))


def test_officer_sees_the_draw_only_after_notification(station_with_archive, bureau):
    """I2, Actors: samples are the bureau's until the results are notified."""
    from authorizations.tests.factories import UserFactory

    officer = UserFactory(username="sampler", station=station_with_archive)
    draw = sampling.sample_draw(plan=supervision_plan(2026), station=station_with_archive, by=bureau, seed=5)
    assert not SampleDraw.objects.for_user(officer).exists()
    SampleDraw.objects.filter(pk=draw.pk).update(notified_on=dt.date(2026, 12, 1))
    assert list(SampleDraw.objects.for_user(officer)) == [draw]


@pytest.mark.celery_worker
def test_ratio_job_runs_through_a_real_celery_worker_on_redis(celery_redis_worker):
    """I3: the yearly task on the Redis broker stores its result, read back from the database."""
    from inspections.tasks import compute_sampling_ratios_task

    default_policies()
    station = CertificateFactory(issued_on=dt.date(2026, 1, 1)).station
    issued_plan(station, year=2027, counts=[25])
    assert compute_sampling_ratios_task.delay(2027).get(timeout=30) == 1
    ratio = SamplingRatio.objects.get(station=station, year=2027)
    assert (ratio.ratio_percent, ratio.sample_size) == (10, 3)


@pytest.mark.parametrize("value", [0, 1, 42, 2**31, 2**40 + 7, -5, 9_999_999_999])
@pytest.mark.parametrize("seed", [0, 1, 42, 2**47 + 3])
def test_python_hash_equals_the_database_hash(value, seed):
    """I4: the published key function gives exactly PostgreSQL's hashint8extended, so draws are auditable."""
    from django.db import connection

    from inspections.hashing import hashint8extended

    with connection.cursor() as cursor:
        cursor.execute("SELECT hashint8extended(%s, %s)", [value, seed])
        assert cursor.fetchone()[0] == hashint8extended(value, seed)
