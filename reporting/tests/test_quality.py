"""Data-quality flags on monthly reports: raised on submission, re-checked when the archive changes (Q1–Q4)."""

import datetime as dt

import pytest
from django.urls import reverse

from authorizations.models import MeasurementStandard, Personnel
from authorizations.tests.factories import CertificateFactory, VerificationItemFactory
from reporting.models import Instrument, MonthlyReport, QualityFlag, QualityFlagEvent, Verification
from reporting.services import quality
from reporting.services.archive import verification_add
from reporting.services.reports import LineInput, monthly_reopen, monthly_submit
from zzmetro.errors import DomainError

pytestmark = pytest.mark.django_db
K, S = QualityFlag.Kind, QualityFlag.Status
OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture
def items():
    return [VerificationItemFactory(code="DN01", name="电能表")]


@pytest.fixture
def station(officer1, items, freeze, settings):
    """Authorized for the item since January 2025; every month counts (no go-live month)."""
    settings.ZZ_POLICY = {**settings.ZZ_POLICY, "GO_LIVE": None}
    freeze("2026-11-02 10:00:00+08:00")
    CertificateFactory(station=officer1.station, issued_on=dt.date(2025, 1, 1), items=items)
    return officer1.station


def send(station, period, counts, *, by=None):
    """Submit `period` with one verified count per item (all qualified, no stickers)."""
    from reporting.selectors.reports import month_authority

    items = month_authority(station, period).items
    lines = [LineInput(n, item.code, v, v, 0, 0) for n, (item, v) in enumerate(zip(items, counts), start=1)]
    return monthly_submit(station=station, period=period, lines=lines, by=by, nil_confirmed=not any(counts))


def months_before(period, n):
    first = period.replace(day=1)
    out = []
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first)
    return out


def with_history(station, counts):
    """Submitted months just before October with these counts, oldest first."""
    for period, count in zip(reversed(months_before(OCTOBER, len(counts))), counts):
        send(station, period, [count])


def archive(station, item, day, count):
    """`count` verifications of `item` on `day` in the station's archive (written as the import writes them)."""
    standard = MeasurementStandard.objects.create(
        station=station, name="电能表检定装置", certificate_number=f"标{count}{day}", valid_until=dt.date(2028, 12, 31)
    )
    person = Personnel.objects.create(
        station=station, name="检定员", certificate_type="verifier", certificate_number=f"检{count}{day}",
        valid_until=dt.date(2028, 12, 31),
    )  # fmt: skip
    standard.items.set([item])
    person.items.set([item])
    instrument = Instrument.objects.create(
        station=station, item=item, user_unit="某商贸公司", name="电能表", serial_number=f"SN{day}{count}",
        use="trade", cycle_months=12,
    )  # fmt: skip
    Verification.objects.bulk_create(
        Verification(
            instrument=instrument,
            station=station,
            item=item,
            use="trade",
            verified_on=day,
            result="qualified",
            certificate_number=f"C{n}",
            verifier=person,
            standard=standard,
        )  # fmt: skip
        for n in range(count)
    )
    return standard, person, instrument


def flags(report, kind):
    return list(QualityFlag.objects.filter(report=report, kind=kind))


# --- Q1 ------------------------------------------------------------------------------------------------------


def test_an_outlier_is_not_flagged_with_only_five_months_of_history(station, items):
    """Q1: at least 6 months of history are needed; with 5 even a tenfold count is not an outlier."""
    with_history(station, [10] * 5)
    report = send(station, OCTOBER, [100])
    assert flags(report, K.OUTLIER) == []


def test_an_outlier_is_flagged_with_six_months_of_history(station, items):
    """Q1: with 6 months of history a count far outside median ± 3·MAD is flagged, with the range it left."""
    with_history(station, [10] * 6)
    report = send(station, OCTOBER, [100])
    [flag] = flags(report, K.OUTLIER)
    assert (flag.item, flag.reported, flag.reference, flag.status) == (items[0], 100, 10, S.OPEN)
    assert "中位数为10" in flag.detail and "7～13" in flag.detail


def test_a_count_that_never_varied_tolerates_k_either_side(station, items):
    """Q1: MAD is floored at 1, so after twelve months of exactly 10 the range is 7–13: 13 passes, 14 is flagged."""
    with_history(station, [10] * 12)
    report = send(station, OCTOBER, [13])
    assert flags(report, K.OUTLIER) == []
    monthly_reopen(report=report, by=None, reason="核对数量")
    assert [f.reported for f in flags(send(station, OCTOBER, [14]), K.OUTLIER)] == [14]


def test_the_range_edge_is_inside_and_one_beyond_is_flagged(station, items):
    """Q1: history 8–12 (median 10, MAD 1): 7 and 13 are inside the range, 6 and 14 outside."""
    assert quality.outlier_range([8, 9, 10, 10, 11, 12]) == (10, 7, 13)
    assert quality.outlier_range([8, 9, 10, 10, 11]) is None
    with_history(station, [8, 9, 10, 10, 11, 12])
    report = send(station, OCTOBER, [14])
    assert [f.reported for f in flags(report, K.OUTLIER)] == [14]


def test_only_the_previous_twelve_submitted_months_count(station, items):
    """Q1: months older than the twelve latest submitted ones do not widen the range."""
    with_history(station, [1000] * 6 + [10] * 12)
    report = send(station, OCTOBER, [500])
    assert len(flags(report, K.OUTLIER)) == 1


# --- Q2 ------------------------------------------------------------------------------------------------------


def test_a_difference_of_two_on_forty_is_tolerated(station, items):
    """Q2: max(2, 5 % of 40) = 2 — a report of 42 against 40 archived verifications is not flagged."""
    archive(station, items[0], dt.date(2026, 10, 8), 40)
    assert flags(send(station, OCTOBER, [42]), K.ARCHIVE) == []


def test_a_difference_of_three_on_forty_is_flagged(station, items):
    """Q2: 43 reported against 40 archived differs by 3 > 2: 报表与档案不符."""
    archive(station, items[0], dt.date(2026, 10, 8), 40)
    [flag] = flags(send(station, OCTOBER, [43]), K.ARCHIVE)
    assert (flag.reported, flag.reference) == (43, 40) and "相差3" in flag.detail


def test_five_percent_of_the_archive_is_tolerated_and_more_is_flagged(station, items):
    """Q2: on 1000 archived, 5 % (50) is tolerated and 5.1 % (51) is flagged; either direction."""
    archive(station, items[0], dt.date(2026, 10, 8), 1000)
    assert flags(send(station, OCTOBER, [950]), K.ARCHIVE) == []
    report = MonthlyReport.objects.get(station=station, period=OCTOBER)
    monthly_reopen(report=report, by=None, reason="核对数量")
    assert len(flags(send(station, OCTOBER, [1051]), K.ARCHIVE)) == 1


def test_verifications_of_another_month_or_item_do_not_count(station, items):
    """Q2: only the station's archive of that item and month is compared."""
    archive(station, items[0], dt.date(2026, 9, 30), 40)
    archive(station, items[0], dt.date(2026, 11, 1), 40)
    assert len(flags(send(station, OCTOBER, [40]), K.ARCHIVE)) == 1


# --- Q3 ------------------------------------------------------------------------------------------------------


def test_a_nil_report_is_flagged_when_the_archive_holds_verifications_that_month(station, items):
    """Q3: 本月无检定 confirmed while the archive holds a verification in the month."""
    archive(station, items[0], dt.date(2026, 10, 31), 1)
    [flag] = flags(send(station, OCTOBER, [0]), K.NIL)
    assert (flag.item, flag.reported, flag.reference) == (None, 0, 1)


def test_a_nil_report_with_an_empty_archive_is_not_flagged(station, items):
    """Q3: nothing in the archive that month (one on the next day does not count): no flag."""
    archive(station, items[0], dt.date(2026, 11, 1), 5)
    report = send(station, OCTOBER, [0])
    assert QualityFlag.objects.filter(report=report).count() == 0


# --- recomputed when the archive changes; never blocking; followed up (Q4) ---------------------------------------


def test_flags_never_block_a_submission_and_are_events(station, items, officer1):
    """Q4, A12: a flagged report is submitted and locked like any other; raising a flag is an event."""
    report = send(station, OCTOBER, [43], by=officer1)
    assert report.status == MonthlyReport.Status.SUBMITTED
    [flag] = flags(report, K.ARCHIVE)
    assert list(flag.events.values_list("action_label", flat=True)) == ["发现数据质量提示"]


def test_a_verification_added_later_raises_the_nil_flag(station, items):
    """Q3: a verification recorded in the archive after a nil report re-checks that report at once."""
    report = send(station, OCTOBER, [0])
    standard, person, instrument = archive(station, items[0], dt.date(2026, 9, 1), 1)
    verification_add(
        instrument=instrument, verified_on=dt.date(2026, 10, 20), result="qualified", certificate_number="X1",
        verifier=person, standard=standard,
    )  # fmt: skip
    assert len(flags(report, K.NIL)) == 1


def test_an_archive_brought_in_line_clears_an_open_flag_and_keeps_a_marked_one(station, items, bureau):
    """Q2, Q4: the re-check clears an open flag the archive now supports; a flag staff marked stays as marked."""
    report = send(station, OCTOBER, [43])
    [flag] = flags(report, K.ARCHIVE)
    archive(station, items[0], dt.date(2026, 10, 8), 43)
    assert quality.archive_changed(station_id=station.pk, months=[OCTOBER]) == 1
    flag.refresh_from_db()
    assert flag.status == S.CLEARED
    assert [e.action_label for e in flag.events.all()][0] == "复核后消除"
    archive(station, items[0], dt.date(2026, 10, 9), 10)
    quality.archive_changed(station_id=station.pk)
    flag.refresh_from_db()
    assert flag.status == S.OPEN and flag.reference == 53
    quality.flag_explain(flag=flag, by=bureau, note="部分器具次月补录")
    archive(station, items[0], dt.date(2026, 10, 10), 10)
    quality.archive_changed(station_id=station.pk)
    flag.refresh_from_db()
    assert flag.status == S.EXPLAINED


def test_staff_explain_with_a_note_or_confirm_and_each_mark_is_an_event(station, items, bureau):
    """Q4, A12: explained needs a note; a marked flag cannot be marked again; every mark is an event."""
    report = send(station, OCTOBER, [43])
    [flag] = flags(report, K.ARCHIVE)
    with pytest.raises(DomainError, match="说明"):
        quality.flag_explain(flag=flag, by=bureau, note="  ")
    flag = quality.flag_explain(flag=flag, by=bureau, note="站点补充说明：档案漏录3条")
    event = QualityFlagEvent.objects.filter(flag=flag).first()
    assert (event.action_label, event.from_state, event.to_state, event.by, event.note) == (
        "说明",
        "待核实",
        "已说明",
        bureau,
        "站点补充说明：档案漏录3条",
    )
    with pytest.raises(DomainError, match="当前状态为“已说明”"):
        quality.flag_confirm(flag=flag, by=bureau)


def test_a_confirmed_flag_is_recorded_with_who_confirmed_it(station, items, bureau):
    """Q4: confirming is a mark like explaining, recorded with who and when."""
    [flag] = flags(send(station, OCTOBER, [43]), K.ARCHIVE)
    flag = quality.flag_confirm(flag=flag, by=bureau, note="数量虚报")
    assert flag.status == S.CONFIRMED
    assert flag.events.first().by == bureau


def test_the_station_sees_its_flags_on_the_report_page(station, items, client, officer1):
    """Q4: the flag shows on the report in the portal, with its state, and says it did not block the submission."""
    report = send(station, OCTOBER, [43], by=officer1)
    client.force_login(officer1)
    page = client.get(reverse("reporting:monthly_detail", args=[report.pk])).content.decode()
    assert "数据质量提示" in page and "报表与档案不符" in page and "相差43" in page and "待核实" in page
    assert "不影响报送" in page
