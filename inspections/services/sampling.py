"""Re-verification sampling: the yearly ratio job and the seeded, weighted draw (DOMAIN I2–I4)."""

import datetime as dt
import math
import secrets
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from authorizations.models import Station
from authorizations.selectors.certificates import stations_authorized_in
from inspections.hashing import hashint8extended
from inspections.models import SampleDraw, SampleItem, SamplingPolicy, SamplingRatio, SupervisionPlan
from reporting.models import AnnualPlan, AnnualPlanLine, InstrumentUse, Verification
from zzmetro.errors import DomainError
from zzmetro.workflow import can, ensure, record, transition

HUNDRED = Decimal(100)


def policy_for(pass_rate: Decimal | None, policies: list[SamplingPolicy]) -> SamplingPolicy:
    """I3: the row with the highest lower bound not above the pass rate; the no-data row without results."""
    if pass_rate is None:
        chosen = next((p for p in policies if p.used_without_data), None)
    else:
        chosen = max((p for p in policies if p.min_pass_rate <= pass_rate), key=lambda p: p.min_pass_rate, default=None)
    if chosen is None:
        raise DomainError("抽样比例政策不完整：请在管理后台补齐“抽样比例政策”各档（含无上年数据时适用的一档）。")
    return chosen


def sample_size(plan_total: int, ratio_percent: Decimal) -> int:
    """I2: at least the ratio of the annual plan, rounded up; at least one if the plan is not empty."""
    if plan_total <= 0:
        return 0
    return max(1, math.ceil(Decimal(plan_total) * ratio_percent / HUNDRED))


def pass_rate(passed: int, tested: int) -> Decimal | None:
    """Percentage to four places; never rounded up across a policy boundary (97.995 % stays below 98 %)."""
    if tested == 0:
        return None
    return (Decimal(passed) * HUNDRED / Decimal(tested)).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)


def _previous_results(year: int) -> dict[int, tuple[int, int]]:
    """Per station: (tested, passed) of last year's samples; refused counts as tested and failed (I2)."""
    rows = (
        SampleItem.objects.filter(draw__plan__year=year - 1)
        .exclude(result=SampleItem.Result.PENDING)
        .values("draw__station")
        .annotate(tested=Count("id"), passed=Count("id", filter=Q(result=SampleItem.Result.QUALIFIED)))
    )
    return {r["draw__station"]: (r["tested"], r["passed"]) for r in rows}


def _plan_totals(year: int) -> dict[int, int]:
    rows = (
        AnnualPlanLine.objects.filter(plan__year=year, plan__status=AnnualPlan.Status.ISSUED)
        .values("plan__station")
        .annotate(total=Sum("planned_count"))
    )
    return {r["plan__station"]: r["total"] or 0 for r in rows}


def _stations_in_scope(year: int, plan_totals: dict[int, int]) -> list[int]:
    """Stations authorized at some point of the year, or with an issued plan for it."""
    return sorted(set(stations_authorized_in(year).values_list("pk", flat=True)) | set(plan_totals))


@transaction.atomic
def compute_sampling_ratios(*, year: int) -> int:
    """The yearly ratio job: store each station's ratio and sample size with the numbers behind them.

    A fixed handful of queries whatever the number of stations: policies, last year's results, this
    year's plans, the stations in scope, and one upsert.
    """
    policies = list(SamplingPolicy.objects.all())
    previous = _previous_results(year)
    totals = _plan_totals(year)
    rows = []
    for station_id in _stations_in_scope(year, totals):
        tested, passed = previous.get(station_id, (0, 0))
        rate = pass_rate(passed, tested)
        policy = policy_for(rate, policies)
        total = totals.get(station_id, 0)
        rows.append(
            SamplingRatio(
                year=year,
                station_id=station_id,
                previous_tested=tested,
                previous_passed=passed,
                previous_pass_rate=rate,
                ratio_percent=policy.ratio_percent,
                policy=str(policy),
                plan_total=total,
                sample_size=sample_size(total, policy.ratio_percent),
                computed_at=timezone.now(),
            )
        )
    SamplingRatio.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["year", "station"],
        update_fields=[
            "previous_tested",
            "previous_passed",
            "previous_pass_rate",
            "ratio_percent",
            "policy",
            "plan_total",
            "sample_size",
            "computed_at",
        ],
    )
    return len(rows)


# I4: Efraimidis–Spirakis weighted sampling without replacement. Each record gets the key ln(u)/w, where u is
# the low 48 bits of PostgreSQL's hashint8extended(id, seed) scaled into (0, 1) — recomputable by anyone from the
# stored seed (inspections.hashing) — and w is the record's weight (trade settlement weighs more). The records
# with the largest keys are the sample.
KEY_SQL = """
SELECT v.id
FROM reporting_verification v
WHERE v.station_id = %(station)s AND v.verified_on BETWEEN %(start)s AND %(end)s
ORDER BY ln(((hashint8extended(v.id, %(seed)s) & 281474976710655) + 1)::float8 / 281474976710657.0)
         / CASE WHEN v.use = %(trade)s THEN %(trade_weight)s ELSE 1.0 END DESC
LIMIT %(size)s
"""


def sample_key(seed: int, verification_id: int, *, trade: bool) -> float:
    """The same key in Python, for SQLite and for an auditor re-checking a draw."""
    low48 = hashint8extended(verification_id, seed) & 0xFFFFFFFFFFFF
    weight = settings.ZZ_POLICY["SAMPLE_TRADE_WEIGHT"] if trade else 1.0
    return math.log((low48 + 1) / 281474976710657.0) / weight


def _key_params(*, station_id: int, year: int, seed: int, size: int) -> dict:
    return {
        "station": station_id,
        "start": dt.date(year, 1, 1),
        "end": dt.date(year, 12, 31),
        "seed": seed,
        "trade": InstrumentUse.TRADE,
        "trade_weight": float(settings.ZZ_POLICY["SAMPLE_TRADE_WEIGHT"]),
        "size": size,
    }


def draw_ids(*, station_id: int, year: int, seed: int, size: int) -> list[int]:
    """The ids the draw picks, best key first (I4)."""
    if size <= 0:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(KEY_SQL, _key_params(station_id=station_id, year=year, seed=seed, size=size))
            return [row[0] for row in cursor.fetchall()]
    population = Verification.objects.filter(
        station_id=station_id, verified_on__range=(dt.date(year, 1, 1), dt.date(year, 12, 31))
    )
    keyed = sorted(
        population.values_list("id", "use"),
        key=lambda r: sample_key(seed, r[0], trade=r[1] == InstrumentUse.TRADE),
        reverse=True,
    )
    return [r[0] for r in keyed[:size]]


def _store_items(draw: SampleDraw, *, size: int) -> int:
    """Write the drawn items. The keys are computed by a (parallel) SELECT; one INSERT of the id array stores them."""
    ids = draw_ids(station_id=draw.station_id, year=draw.plan.year, seed=draw.seed, size=size)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO inspections_sampleitem (draw_id, verification_id, result, note) "
                "SELECT %s, drawn.id, %s, '' FROM unnest(%s::bigint[]) AS drawn(id)",
                [draw.pk, SampleItem.Result.PENDING, ids],
            )
    else:
        SampleItem.objects.bulk_create(SampleItem(draw=draw, verification_id=i) for i in ids)
    return len(ids)


@transaction.atomic
def sample_draw(*, plan: SupervisionPlan, station: Station, by, seed: int | None = None) -> SampleDraw:
    """I2, I4: draw the station's sample from its verifications of the plan's year, size from the ratio job."""
    ratio = SamplingRatio.objects.filter(year=plan.year, station=station).first()
    if ratio is None:
        raise DomainError(f"尚未计算{station.name}的{plan.year}年抽样比例，请先运行抽样比例计算。")
    if SampleDraw.objects.filter(plan=plan, station=station).exists():
        raise DomainError(f"{station.name}的{plan.year}年复核检定样本已抽取，同一计划不重复抽样。")
    seed = secrets.randbits(48) if seed is None else seed
    year_rows = Verification.objects.filter(
        station=station, verified_on__range=(dt.date(plan.year, 1, 1), dt.date(plan.year, 12, 31))
    )
    counts = year_rows.aggregate(total=Count("id"), trade=Count("id", filter=Q(use=InstrumentUse.TRADE)))
    draw = SampleDraw.objects.create(
        plan=plan,
        station=station,
        seed=seed,
        size=0,
        population=counts["total"],
        trade_population=counts["trade"],
        drawn_by=by,
        status="",
    )
    draw.size = _store_items(draw, size=ratio.sample_size)
    transition(
        draw,
        to=SampleDraw.Status.DRAWN,
        by=by,
        note=f"种子 {seed}；从{counts['total']}条检定记录（贸易结算{counts['trade']}条）中抽取{draw.size}台件",
        update_fields=["size"],
    )
    return draw


@transaction.atomic
def sample_record_result(*, item: SampleItem, by, result: str, recorded_on: dt.date, note: str = "") -> SampleItem:
    """Record the institution's re-verification result; refused counts as failed (I2)."""
    item = (
        SampleItem.objects.select_for_update(of=("self",)).select_related("draw__plan", "draw__station").get(pk=item.pk)
    )
    if result not in SampleItem.Result.values or result == SampleItem.Result.PENDING:
        raise DomainError("请选择复核结果：合格、不合格或拒不配合。", field="result")
    if item.draw.notified_on:
        raise DomainError("复核结果已告知被授权单位，不能再修改。")
    before = item.get_result_display()
    item.result, item.recorded_on, item.note = result, recorded_on, note.strip()
    item.save()
    # One event per result, about the draw; the last result in moves the draw on (its items have no table).
    draw = item.draw
    step = {
        "by": by,
        "note": f"样本 #{item.pk}：{before} → {item.get_result_display()}" + (f"；{item.note}" if item.note else ""),
    }
    if (
        can(draw, SampleDraw.Status.RESULTS_ENTERED)
        and not draw.items.filter(result=SampleItem.Result.PENDING).exists()
    ):
        transition(draw, to=SampleDraw.Status.RESULTS_ENTERED, **step)
    else:
        record(draw, action="enter_result", label="录入复核结果", **step)
    return item


def draw_results(draw: SampleDraw) -> dict:
    counts = draw.items.aggregate(
        total=Count("id"),
        pending=Count("id", filter=Q(result=SampleItem.Result.PENDING)),
        passed=Count("id", filter=Q(result=SampleItem.Result.QUALIFIED)),
        refused=Count("id", filter=Q(result=SampleItem.Result.REFUSED)),
    )
    tested = counts["total"] - counts["pending"]
    return {
        **counts,
        "tested": tested,
        "failed": tested - counts["passed"],
        "pass_rate": pass_rate(counts["passed"], tested),
    }


@transaction.atomic
def sample_notify(*, draw: SampleDraw, by, notified_on: dt.date) -> SampleDraw:
    """I2: once every result is in, notify the station of the results and its pass rate."""
    from authorizations.services.common import notify_station

    draw = SampleDraw.objects.select_for_update().get(pk=draw.pk)
    ensure(draw, to=SampleDraw.Status.NOTIFIED)
    results = draw_results(draw)
    if results["pending"]:
        raise DomainError(f"还有{results['pending']}台件没有复核结果，全部录入后才能告知单位。")
    draw.notified_on = notified_on
    transition(
        draw,
        to=SampleDraw.Status.NOTIFIED,
        by=by,
        note=f"合格{results['passed']}/{results['tested']}",
        update_fields=["notified_on"],
    )
    rate = "—" if results["pass_rate"] is None else f"{results['pass_rate']:.2f}%"
    notify_station(
        draw.station,
        subject=f"{draw.plan.year}年监督检定（复核检定）结果告知",
        body=f"{draw.plan.institution}对贵单位{draw.plan.year}年已检定的计量器具抽取{results['total']}台件进行复核检定：合格{results['passed']}台件，"
        f"不合格{results['failed'] - results['refused']}台件，拒不配合按不合格计{results['refused']}台件，合格率{rate}。",
    )
    return draw
