"""Exporting 1,000,000 archive rows through the real export view against openpyxl's write-only mode (with lxml)
writing the same rows with no database (issue 4). Target: ≤ 1.3 ×, peak memory ≤ 300 MB.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/archive_export.py [rows]

Creates and drops the database zz_bench4_export (rows inserted by one INSERT … SELECT generate_series). Each
measurement runs in its own interpreter so its peak RSS is its own; both write their workbook to a temp file.
"""

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _archive_common as common  # noqa: E402

DB = "zz_bench4_export"
START = dt.date(2026, 1, 5)
USES = [("trade", "贸易结算"), ("safety", "安全防护"), ("medical", "医疗卫生"), ("environment", "环境监测")]


def python_row(n: int, station: str, item: str) -> list:
    """Row n exactly as the database holds it (see INSERT_SQL), as the export shows it."""
    day = START + dt.timedelta(days=n % 150)
    return [
        station,
        item,
        f"郑州市用户单位{n % 997}",
        "单相电子式电能表",
        "DDZY71",
        f"SN{n:09d}",
        "5(60)A",
        "2级",
        USES[n % 4][1],
        f"新密市青屏大街{n % 500}号",
        12,
        day,
        "合格",
        day + dt.timedelta(days=364),
    ]


INSERT_SQL = """
INSERT INTO reporting_instrument (station_id, item_id, user_unit, name, model, serial_number, measuring_range,
    accuracy_class, use, location, cycle_months, last_verified_on, last_result, next_due_on, created_at)
SELECT %(station)s, %(item)s, '郑州市用户单位' || (n %% 997), '单相电子式电能表', 'DDZY71', 'SN' || lpad(n::text, 9, '0'),
    '5(60)A', '2级', (ARRAY['trade','safety','medical','environment'])[n %% 4 + 1], '新密市青屏大街' || (n %% 500) || '号', 12,
    DATE '2026-01-05' + (n %% 150), 'qualified', DATE '2026-01-05' + (n %% 150) + 364, now()
FROM generate_series(0, %(rows)s - 1) AS n
"""


def child_openpyxl(rows: str, station: str, item: str) -> None:
    common.setup_django(DB)
    from openpyxl import LXML, Workbook

    from reporting.exports import ARCHIVE_COLUMNS

    def run():
        book = Workbook(write_only=True)
        sheet = book.create_sheet("强检器具档案")
        sheet.append([c.header for c in ARCHIVE_COLUMNS])
        for n in range(int(rows)):
            sheet.append(python_row(n, station, item))
        with tempfile.TemporaryFile() as handle:
            book.save(handle)
            return handle.tell()

    seconds, size = common.timed(run)
    print(json.dumps({"seconds": seconds, "bytes": size, "peak_mb": common.peak_mb(), "lxml": LXML}))


def child_export(station_id: str, officer_id: str) -> None:
    common.setup_django(DB)
    common.connect_existing(DB)
    from django.test import RequestFactory

    from authorizations.models import User
    from reporting.views.archive import export

    request = RequestFactory().get("/portal/archive/export.xlsx")
    request.user = User.objects.get(pk=int(officer_id))

    def run():
        response = export(request)
        with tempfile.TemporaryFile() as handle:
            for chunk in response.streaming_content:
                handle.write(chunk)
            return handle.tell()

    seconds, size = common.timed(run)
    print(json.dumps({"seconds": seconds, "bytes": size, "peak_mb": common.peak_mb()}))


def main(rows: int) -> None:
    common.setup_django(DB)
    with common.bench_database(DB):
        from django.db import connection

        from authorizations.tests.factories import UserFactory

        station, item, _, _ = common.make_station()
        officer = UserFactory(username="bench-officer", station=station)
        with connection.cursor() as cursor:
            cursor.execute(INSERT_SQL, {"station": station.pk, "item": item.pk, "rows": rows})
            cursor.execute("VACUUM ANALYZE reporting_instrument")
        item_label = f"{item.code} {item.name}"
        baseline = common.run_child(__file__, "openpyxl", str(rows), station.name, item_label)
        ours = common.run_child(__file__, "export", str(station.pk), str(officer.pk))
    ratio = ours["seconds"] / baseline["seconds"]
    print(f"archive export of {rows:,} rows")
    print(
        f"  openpyxl write-only (lxml={baseline['lxml']}), no database : {baseline['seconds']:7.2f} s   peak {baseline['peak_mb']:5.0f} MB   {baseline['bytes'] / 1e6:6.1f} MB file"
    )
    print(
        f"  export view, streamed from PostgreSQL    : {ours['seconds']:7.2f} s   peak {ours['peak_mb']:5.0f} MB   {ours['bytes'] / 1e6:6.1f} MB file"
    )
    print(
        f"  ratio {ratio:.2f} × (target ≤ 1.3 ×) {'OK' if ratio <= 1.3 else 'OVER'};  peak memory {'OK' if ours['peak_mb'] <= 300 else 'OVER'} (target ≤ 300 MB)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "openpyxl":
        child_openpyxl(*sys.argv[2:5])
    elif len(sys.argv) > 1 and sys.argv[1] == "export":
        child_export(*sys.argv[2:4])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
