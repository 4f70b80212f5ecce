"""Bulk import of the archive (DOMAIN M1, A10, R1): every row validated, all rows saved or none."""

import datetime as dt

import pytest

from authorizations import services as lifecycle
from authorizations.tests.factories import MeasurementStandardFactory, PersonnelFactory, UserFactory
from reporting.models import Instrument, Verification
from reporting.services.archive_import import archive_import
from zzmetro.spreadsheets import SpreadsheetError

from .factories import row, workbook_bytes, world  # noqa: F401

pytestmark = pytest.mark.django_db


def _import(officer, rows, **kwargs):
    return archive_import(station=officer.station, data=workbook_bytes(rows), **kwargs)


def _messages(outcome):
    return [(e.row, e.column, e.message) for e in outcome.errors]


def test_valid_rows_are_all_saved_with_their_verification_and_next_due_date(world, officer1):
    """M1: each row becomes an instrument and its verification; next due = verified + cycle − 1 day."""
    outcome = _import(officer1, [row(world, 1), row(world, 2, cycle_months=6, verified_on="2026年2月28日")])
    assert outcome.errors == [] and outcome.imported == 2
    first = Instrument.objects.get(serial_number="SN000001")
    assert (first.station, first.item, first.use) == (officer1.station, world["meter"], "trade")
    assert first.next_due_on == dt.date(2027, 3, 4) and first.last_result == "qualified"
    second = Verification.objects.get(instrument__serial_number="SN000002")
    assert second.verified_on == dt.date(2026, 2, 28) and second.next_due_on == dt.date(2026, 8, 27)
    assert (second.station_id, second.item_id, second.use) == (officer1.station_id, world["meter"].pk, "trade")
    assert second.verifier == world["a"]["person"] and second.standard == world["a"]["standard"]


def test_unqualified_instrument_gets_no_next_due_date(world, officer1):
    """M1 (decision): an unqualified result carries a notice, not a validity — no next due date."""
    _import(officer1, [row(world, 1, result="不合格")])
    assert Instrument.objects.get().next_due_on is None


def test_one_bad_row_saves_nothing_and_names_row_column_and_reason(world, officer1):
    """M1: all or nothing; the report names the Excel row, the column header and the reason."""
    outcome = _import(
        officer1, [row(world, 1), row(world, 2, use="自用", verified_on="3/5/2026"), row(world, 3, name=None)]
    )
    assert Instrument.objects.count() == 0 and Verification.objects.count() == 0
    assert _messages(outcome) == [
        (3, "用途", "“自用”不是可选值（贸易结算、安全防护、医疗卫生、环境监测）"),
        (3, "检定日期", "“3/5/2026”不是有效日期，请填写如 2026-03-05 的日期"),
        (4, "器具名称", "必填"),
    ]


def test_duplicate_serial_number_within_station_and_item_is_refused(world, officer1):
    """M1: a serial number appears once per station and item — in the file and against the archive."""
    assert _import(officer1, [row(world, 1)]).imported == 1
    outcome = _import(officer1, [row(world, 1), row(world, 2), row(world, 2)])
    assert _messages(outcome) == [
        (2, "出厂编号", "出厂编号“SN000001”已在本单位该项目的档案中（新的检定请在器具页面登记）"),
        (4, "出厂编号", "出厂编号“SN000002”与第3行重复（同一检定项目）"),
    ]
    assert Instrument.objects.count() == 1


def test_same_serial_number_is_fine_at_another_station(world, officer1, officer2):
    """M1: the uniqueness is per station and item."""
    _import(officer1, [row(world, 1)])
    kit = world["b"]
    outcome = _import(
        officer2, [row(world, 1, verifier=kit["person"].certificate_number, standard=kit["standard"].name)]
    )
    assert outcome.errors == [] and Instrument.objects.count() == 2


def test_item_not_authorized_on_the_verification_date_is_refused(world, officer1):
    """A10 (decision: refuse): an item the station holds no authority for that day, or a day it was suspended."""
    bureau = UserFactory(bureau=True)
    certificate = officer1.station.certificates.get()
    lifecycle.certificate_suspend(
        certificate=certificate,
        by=bureau,
        starts_on=dt.date(2026, 4, 1),
        planned_end_on=dt.date(2026, 5, 1),
        reason="标准超期",
    )
    outcome = _import(
        officer1,
        [
            row(world, 1, item="水表"),
            row(world, 2, verified_on=dt.date(2026, 4, 2)),
            row(world, 3, verified_on=dt.date(2024, 12, 31)),
        ],
    )
    item_errors = [(r, m) for r, c, m in _messages(outcome) if c == "检定项目（代码或名称）"]
    assert [r for r, _ in item_errors] == [2, 3, 4]
    assert "2026-04-02未获授权" in item_errors[1][1]
    assert Instrument.objects.count() == 0


def test_verifier_and_standard_must_be_valid_on_the_verification_date_and_serve_the_item(world, officer1):
    """R1: the person's certificate and the standard's certificate cover the verification date and the item."""
    station = officer1.station
    PersonnelFactory(
        station=station,
        name="过期员",
        certificate_number="OLD-1",
        valid_until=dt.date(2026, 3, 1),
        items=[world["meter"]],
    )
    MeasurementStandardFactory(station=station, name="水表装置", certificate_number="W-1", items=[world["water"]])
    outcome = _import(
        officer1,
        [
            row(world, 1, verifier="OLD-1"),
            row(world, 2, verifier="OLD-1", verified_on=dt.date(2026, 3, 1)),
            row(world, 3, standard="W-1"),
            row(world, 4, verifier="无此人"),
        ],
    )
    assert _messages(outcome) == [
        (2, "检定人员（证书编号或姓名）", "检定人员“过期员（OLD-1）”的证书有效期至2026-03-01，检定日已过期"),
        (4, "计量标准（证书编号或名称）", "计量标准“水表装置（W-1）”不适用于该检定项目"),
        (5, "检定人员（证书编号或姓名）", "本单位没有登记“无此人”这个检定人员"),
    ]


def test_another_stations_verifier_cannot_be_named(world, officer1):
    """Actors: station B's people are unknown to station A's import."""
    outcome = _import(officer1, [row(world, 1, verifier=world["b"]["person"].certificate_number)])
    assert "本单位没有登记" in outcome.errors[0].message


def test_future_verification_date_is_refused(world, officer1):
    outcome = _import(officer1, [row(world, 1, verified_on=dt.date(2026, 6, 16))])
    assert _messages(outcome) == [(2, "检定日期", "检定日期不能晚于今天")]


def test_value_starting_with_equals_is_refused_as_a_suspected_formula(world, officer1):
    """Hostile input: a typed =HYPERLINK(...) is refused with a clear message; nothing is saved."""
    outcome = _import(officer1, [row(world, 1, user_unit='=HYPERLINK("http://evil.example","点我")')])
    assert _messages(outcome) == [(2, "使用单位", "内容以“=”开头，疑似公式，已拒绝（请删去开头的“=”）")]
    assert Instrument.objects.count() == 0


def test_negative_range_is_kept_as_text(world, officer1):
    """A range like -40~85℃ is legitimate data: only = and @ are refused on import."""
    _import(officer1, [row(world, 1, measuring_range="-40~85℃")])
    assert Instrument.objects.get().measuring_range == "-40~85℃"


def test_whole_file_problems_raise_before_anything_is_saved(world, officer1):
    with pytest.raises(SpreadsheetError, match="不是Excel工作簿"):
        archive_import(station=officer1.station, data=b"serial,name\n1,2\n")
    assert Instrument.objects.count() == 0


def test_import_reports_progress_and_saves_in_one_call(world, officer1):
    seen = []
    _import(officer1, [row(world, n) for n in range(1, 6)], progress=lambda p, **kw: seen.append(p))
    assert seen[0] == 10 and seen[-1] == 75 and Instrument.objects.count() == 5


def test_bulk_create_path_used_without_postgresql_saves_the_same(world, officer1, monkeypatch):
    """The demo's SQLite path (no COPY) stores the same rows."""
    from reporting.services import archive_import as module

    monkeypatch.setattr(module, "_copies", lambda: False)
    _import(officer1, [row(world, 1), row(world, 2, result="不合格")])
    assert sorted(Instrument.objects.values_list("serial_number", "next_due_on")) == [
        ("SN000001", dt.date(2027, 3, 4)),
        ("SN000002", None),
    ]
    assert Verification.objects.filter(station=officer1.station).count() == 2


def test_copy_escapes_tabs_newlines_and_backslashes(world, officer1):
    _import(officer1, [row(world, 1, location="一楼\t东侧\\机房", name="电能表\n备用")])
    instrument = Instrument.objects.get()
    assert instrument.location == "一楼\t东侧\\机房" and instrument.name == "电能表\n备用"


def test_import_uses_the_same_authority_rule_as_the_lifecycle_selector(world, officer1):
    """A8, A10: the import's many-days evaluation agrees with authorized_item_ids_on on every boundary day."""
    from authorizations.selectors.certificates import authorized_item_ids_on
    from authorizations.tests.factories import VerificationItemFactory
    from reporting.selectors.archive import authorized_items_by_day

    bureau = UserFactory(bureau=True)
    certificate = officer1.station.certificates.get()
    late = VerificationItemFactory(code="DN02")
    certificate.certificate_items.create(item=late, added_on=dt.date(2026, 2, 1), application=certificate.application)
    lifecycle.certificate_suspend(
        certificate=certificate,
        by=bureau,
        starts_on=dt.date(2026, 4, 1),
        planned_end_on=dt.date(2026, 5, 1),
        reason="x",
    )
    lifecycle.certificate_lift_suspension(certificate=certificate, by=bureau, lifted_on=dt.date(2026, 4, 20))
    days = [
        dt.date(2024, 12, 31),
        dt.date(2025, 1, 1),
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 19),
        dt.date(2026, 4, 20),
        certificate.expires_on,
        certificate.expires_on + dt.timedelta(days=1),
    ]
    assert authorized_items_by_day(officer1.station, days) == {
        d: authorized_item_ids_on(officer1.station, d) for d in days
    }


# ---------------------------------------------------------------- PostgreSQL: COPY pipelined with the checking


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of a few rows, so a short file is copied in several pieces while later rows are still checked;
    returns the number of data lines each COPY sent."""
    from reporting.services import archive_import as module

    monkeypatch.setattr(module, "FIRST_CHUNK_ROWS", 2)
    monkeypatch.setattr(module, "CHUNK_ROWS", 3)
    sent, copy_text = [], module._copy_text

    def counting(raw, sql, text):
        sent.append(text.count("\n"))
        copy_text(raw, sql, text)

    monkeypatch.setattr(module, "_copy_text", counting)
    return sent


def test_bad_rows_late_in_the_file_roll_back_the_rows_already_copied_and_all_errors_are_reported(
    world, officer1, small_chunks
):
    """M1: all or nothing, even though the first chunks were already COPYed when the bad rows were reached."""
    rows = [row(world, n) for n in range(1, 12)]
    rows[8] = row(world, 9, cycle_months=0)
    rows[10] = row(world, 11, use="自用", name=None)
    outcome = _import(officer1, rows)
    assert sum(small_chunks) == 2 * 6  # Excel rows 2-7 (instruments and verifications) had reached the server
    assert Instrument.objects.count() == 0 and Verification.objects.count() == 0
    assert _messages(outcome) == [
        (10, "检定周期（月）", "不能小于1"),
        (12, "器具名称", "必填"),
        (12, "用途", "“自用”不是可选值（贸易结算、安全防护、医疗卫生、环境监测）"),
    ]
    assert outcome.total == 11 and outcome.imported == 0


def test_a_file_copied_in_many_chunks_is_saved_whole_with_progress_reported_in_order(world, officer1, small_chunks):
    seen = []
    outcome = _import(officer1, [row(world, n) for n in range(1, 11)], progress=lambda p, **kw: seen.append(p))
    assert outcome.imported == 10 and Instrument.objects.count() == 10 and Verification.objects.count() == 10
    assert sum(small_chunks) == 2 * 10
    assert seen[0] == 10 and seen[-1] == 75 and len(seen) > 2 and seen == sorted(seen)
    pairs = Verification.objects.values_list("instrument__serial_number", "certificate_number")
    assert sorted(pairs) == [(f"SN{n:06d}", f"ZZJD-2026-{n:06d}") for n in range(1, 11)]


def test_a_resource_first_named_late_in_the_file_is_looked_up_while_earlier_chunks_are_copied(
    world, officer1, small_chunks
):
    """R1 checks that load lazily (a new verifier's items) run on the same connection as the COPY in flight."""
    late = PersonnelFactory(
        station=officer1.station, name="后来者", certificate_number="LATE-1", items=[world["meter"]]
    )
    rows = [row(world, n) for n in range(1, 9)] + [row(world, 9, verifier="LATE-1")]
    assert _import(officer1, rows).imported == 9
    assert Verification.objects.get(certificate_number="ZZJD-2026-000009").verifier == late


def test_an_exception_in_the_copy_thread_reaches_the_caller_and_nothing_is_saved(
    world, officer1, small_chunks, monkeypatch
):
    from reporting.services import archive_import as module

    copy_text = module._copy_text

    def failing_third(raw, sql, text):
        if len(small_chunks) == 2:
            raise RuntimeError("network gone")
        copy_text(raw, sql, text)

    monkeypatch.setattr(module, "_copy_text", failing_third)
    with pytest.raises(RuntimeError, match="network gone"):
        _import(officer1, [row(world, n) for n in range(1, 11)])
    assert Instrument.objects.count() == 0 and Verification.objects.count() == 0


def test_a_serial_saved_meanwhile_by_another_import_refuses_the_whole_file(world, officer1, small_chunks, monkeypatch):
    """M1: the unique constraint catches what the check could not see (another import committed in between)."""
    from reporting.services import archive_import as module

    assert _import(officer1, [row(world, 7)]).imported == 1
    monkeypatch.setattr(module.RowChecker, "_check_serial", lambda *args: None)  # as if checked before that commit
    with pytest.raises(SpreadsheetError, match="可能有人同时导入"):
        _import(officer1, [row(world, n) for n in range(1, 11)])
    assert list(Instrument.objects.values_list("serial_number", flat=True)) == ["SN000007"]
    assert Verification.objects.count() == 1


def test_an_exception_while_checking_stops_the_copying_and_nothing_is_saved(world, officer1, small_chunks, monkeypatch):
    from reporting.services import archive_import as module

    check = module.RowChecker.check

    def breaking(self, row_number, values, errors):
        if row_number == 9:
            raise LookupError("bug in a check")
        check(self, row_number, values, errors)

    monkeypatch.setattr(module.RowChecker, "check", breaking)
    with pytest.raises(LookupError):
        _import(officer1, [row(world, n) for n in range(1, 11)])
    assert Instrument.objects.count() == 0 and Verification.objects.count() == 0
