"""Importing 100,000 archive rows end to end (parse, validate, save in one transaction) against the time
python-calamine takes only to parse the same file (issue 4). Target: ≤ 3 ×, peak memory ≤ 500 MB.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/archive_import.py [rows]

Creates and drops the database zz_bench4_import. The workbook is written once by openpyxl (shared strings, as
Excel saves it) and cached under /tmp. Each measurement runs in its own interpreter so its peak RSS is its own.
"""

import datetime as dt
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _archive_common as common  # noqa: E402

DB = "zz_bench4_import"
DAYS = [dt.date(2026, 1, 5) + dt.timedelta(days=d) for d in range(150)]
USES = ["贸易结算", "安全防护", "医疗卫生", "环境监测"]


def workbook_path(rows: int) -> Path:
    return Path(f"/tmp/zz_bench4_archive_{rows}.xlsx")


def write_workbook(rows: int) -> Path:
    from openpyxl import Workbook

    from reporting.services.archive_import import FIELDS

    path = workbook_path(rows)
    if path.exists():
        return path
    book = Workbook(write_only=True)
    sheet = book.create_sheet("强检器具档案")
    sheet.append([f.header for f in FIELDS])
    for n in range(rows):
        sheet.append(
            [
                "DN01" if n % 2 else "BENCH-DN01",
                f"郑州市用户单位{n % 997}",
                "单相电子式电能表",
                "DDZY71",
                f"SN{n:09d}",
                "5(60)A",
                "2级",
                USES[n % 4],
                f"新密市青屏大街{n % 500}号",
                12,
                DAYS[n % len(DAYS)],
                "合格" if n % 50 else "不合格",
                f"ZZJD-2026-{n:07d}",
                "豫计检字00001",
                "[2024]豫量标郑证字第001号",
            ]
        )
    book.save(path)
    return path


def child_parse(path: str) -> None:
    from python_calamine import CalamineWorkbook

    seconds, table = common.timed(lambda: CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python())
    print(json.dumps({"seconds": seconds, "rows": len(table) - 1, "peak_mb": common.peak_mb()}))


def child_import(path: str, station_id: str) -> None:
    common.setup_django(DB)
    common.connect_existing(DB)
    from authorizations.models import Station
    from reporting.services.archive_import import archive_import

    station = Station.objects.get(pk=int(station_id))
    data = Path(path).read_bytes()
    run = lambda: archive_import(station=station, data=data, today=dt.date(2026, 12, 31))  # noqa: E731
    if os.environ.get("ZZ_BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        seconds, outcome = common.timed(lambda: profile.runcall(run))
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    else:
        seconds, outcome = common.timed(run)
    assert not outcome.errors, outcome.errors[:5]
    print(json.dumps({"seconds": seconds, "rows": outcome.imported, "peak_mb": common.peak_mb()}))


def main(rows: int) -> None:
    common.setup_django(DB)
    from django.conf import settings

    settings.ZZ_POLICY["ARCHIVE_IMPORT_MAX_ROWS"] = max(rows, 100_000)
    path = write_workbook(rows)
    with common.bench_database(DB):
        from authorizations.tests.factories import VerificationItemFactory

        station, item, standard, person = common.make_station()
        other = VerificationItemFactory(code="DN01", name="电能表（第二项目）")
        station.certificates.get().certificate_items.create(
            item=other, added_on=dt.date(2025, 1, 1), application=station.certificates.get().application
        )
        standard.items.add(other)
        person.items.add(other)
        common.run_child(__file__, "parse", str(path))  # warm the page cache
        parse = common.run_child(__file__, "parse", str(path))
        imported = common.run_child(__file__, "import", str(path), str(station.pk))
        from reporting.models import Instrument, Verification

        counts = (Instrument.objects.count(), Verification.objects.count())
    ratio = imported["seconds"] / parse["seconds"]
    print(f"archive import of {rows:,} rows ({path.stat().st_size / 1e6:.1f} MB .xlsx)")
    print(f"  python-calamine parse only : {parse['seconds']:6.2f} s   peak {parse['peak_mb']:6.0f} MB")
    print(
        f"  import end to end          : {imported['seconds']:6.2f} s   peak {imported['peak_mb']:6.0f} MB   saved {counts[0]:,} instruments, {counts[1]:,} verifications"
    )
    print(
        f"  ratio {ratio:.2f} × (target ≤ 3 ×) {'OK' if ratio <= 3 else 'OVER'};  peak memory {'OK' if imported['peak_mb'] <= 500 else 'OVER'} (target ≤ 500 MB)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "parse":
        child_parse(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "import":
        child_import(sys.argv[2], sys.argv[3])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
