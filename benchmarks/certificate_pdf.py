"""How long one certificate PDF takes (DOMAIN D1, D2): cold, warm median, and with rare characters.

    .venv/bin/python benchmarks/certificate_pdf.py

Uses DATABASE_URL when set (already migrated; every row is rolled back), otherwise an in-memory SQLite database.
Prints timings only; it never fails on them. Target: warm median below 0.3 s.
"""

import os
import statistics
import sys
import time
from pathlib import Path

WARM_RENDERS = 20
RARE_RENDERS = 5
RARE_NAME = "郑州堃䶮计量检测有限公司"  # 堃 U+5803 is outside GB 2312, 䶮 U+4DAE is CJK Ext A


def setup_django() -> bool:
    """Configure Django; True when the database is a fresh in-memory one that needs migrating."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
    in_memory = "DATABASE_URL" not in os.environ
    if in_memory:
        os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()
    return in_memory


def make_certificate(station_name: str):
    from authorizations.demo_data import ITEM_CATALOGUE
    from authorizations.tests.factories import CertificateFactory, StationFactory, VerificationItemFactory

    items = [
        VerificationItemFactory(code=f"BENCH-{code}", name=name, regulation=regulation)
        for code, name, regulation, _ in ITEM_CATALOGUE[:8]
    ]
    station = StationFactory(name=station_name, address="郑州市管城回族区紫荆山南路9号", industry="石化")
    return CertificateFactory(
        station=station, items=items, area="郑州市市区及所辖县（市）", seal_number="郑计授章-0007"
    )


def seconds(render, certificate) -> float:
    started = time.perf_counter()
    render(certificate)
    return time.perf_counter() - started


def run() -> None:
    from django.core.management import call_command
    from django.db import transaction

    from authorizations.documents import certificate_pdf

    call_command("prepare_fonts")  # idempotent: quick when the fonts are ready
    with transaction.atomic():
        certificate = make_certificate("中国石化销售股份有限公司河南郑州石油分公司计量站")
        cold = seconds(certificate_pdf, certificate)
        warm = [seconds(certificate_pdf, certificate) for _ in range(WARM_RENDERS)]
        rare_certificate = make_certificate(RARE_NAME)
        rare = [seconds(certificate_pdf, rare_certificate) for _ in range(RARE_RENDERS)]
        transaction.set_rollback(True)
    print(f"certificate PDF, cold (first render in this process): {cold:.3f} s")
    print(
        f"certificate PDF, warm median of {WARM_RENDERS}: {statistics.median(warm):.3f} s "
        f"(min {min(warm):.3f}, max {max(warm):.3f})"
    )
    print(
        f"certificate PDF for {RARE_NAME}: first {rare[0]:.3f} s, "
        f"median of {RARE_RENDERS} {statistics.median(rare):.3f} s"
    )


if __name__ == "__main__":
    if setup_django():
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    run()
