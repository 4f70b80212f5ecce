"""Demo register of manufacturing licences (DOMAIN L2, L3): about forty manufacturers in Henan with approvals and
licences across the nine key-managed types, a few of each kind of finding, one cancelled and one revoked licence.

Every licence goes through the services, so the demo's trail is what staff would leave; names are invented.
Idempotent: nothing is added when the register already has a licence.
"""

import datetime as dt

from django.db import transaction

from authorizations.validators import make_credit_code
from inspections.models import (
    EvaluationInstitution,
    InstitutionAuthorization,
    InstrumentType,
    IssuingLevel,
    LicenceFinding,
    Manufacturer,
    ManufacturingLicence,
    PatternApproval,
)
from inspections.services import licences
from inspections.services.licence_checks import run_checks
from inspections.services.licences import Publicity, Scope
from zzmetro.dates import add_years

D = dt.date
PROVINCE_DEPARTMENT = "河南省质量技术监督局计量处"
CITIES = [
    ("郑州市", "金水区", "郑州"), ("郑州市", "新郑市", "新郑"), ("开封市", "龙亭区", "开封"), ("洛阳市", "涧西区", "洛阳"),
    ("平顶山市", "新华区", "平顶山"), ("安阳市", "文峰区", "安阳"), ("新乡市", "红旗区", "新乡"), ("焦作市", "解放区", "焦作"),
    ("许昌市", "魏都区", "许昌"), ("南阳市", "卧龙区", "南阳"), ("商丘市", "梁园区", "商丘"), ("周口市", "川汇区", "周口"),
    ("信阳市", "浉河区", "信阳"), ("漯河市", "源汇区", "漯河"),
]  # fmt: skip
# (type code, company word, model prefix, measuring range)
TYPES = [
    ("electricity_meter", "电表", "DDS", "5(60)A"),
    ("water_meter", "水表", "LXS", "DN15～DN50"),
    ("gas_meter", "燃气表", "G", "0.016～6m³/h"),
    ("weighing", "衡器", "TCS", "(0～300)kg"),
    ("fuel_dispenser", "加油机", "JY", "(5～60)升/分钟"),
    ("taxi_meter", "计价器", "JJQ", "0～9999.9元"),
    ("heat_meter", "热量表", "RL", "DN20～DN100"),
    ("dust", "粉尘仪", "CCZ", "(0～1000)毫克/立方米"),
    ("methane", "瓦斯仪", "JCB", "(0～4)%"),
]
WORDS = ["华宇", "中原", "豫星", "恒信", "天成"]


def seed_licence_register(stdout=None) -> int:
    """Load the demo register; returns the number of licences added (0 when it already exists)."""
    if ManufacturingLicence.objects.exists():
        return 0
    from authorizations.models import User

    bureau = User.objects.filter(username="bureau").first()
    with transaction.atomic():
        _ensure_catalogue()
        institutions = _institutions()
        count = _register(institutions, bureau)
        run_checks(by=bureau)
        _handle_some_findings(bureau)
    if stdout is not None:
        stdout.write(f"制造许可演示数据：{count}份许可证。")
    return count


def _ensure_catalogue() -> None:
    """The nine types and time limits the migration seeds; a test database flush (TRUNCATE) may have taken them."""
    if not InstrumentType.objects.exists():
        import importlib

        from django.apps import apps

        importlib.import_module("inspections.migrations.0006_licence_register").seed(apps, None)


def _institutions():
    types = list(InstrumentType.objects.filter(code__in=[t[0] for t in TYPES]))
    province = EvaluationInstitution.objects.create(name="河南省计量科学研究院", province="河南省")
    national = EvaluationInstitution.objects.create(name="国家电能表型式评价实验室（演示）", province="北京市")
    local = EvaluationInstitution.objects.create(name="某市计量测试所（演示）", province="河南省")
    InstitutionAuthorization.objects.bulk_create(
        [InstitutionAuthorization(institution=province, instrument_type=t, authorized_from=D(2006, 3, 1)) for t in types]
        + [
            InstitutionAuthorization(
                institution=national, instrument_type=InstrumentType.objects.get(code="electricity_meter"),
                authorized_from=D(2008, 1, 1),
            ),
            # authorized for water meters only from 2015: its earlier water-meter evaluations were not authorized
            InstitutionAuthorization(
                institution=local, instrument_type=InstrumentType.objects.get(code="water_meter"),
                authorized_from=D(2015, 6, 1),
            ),
        ]
    )  # fmt: skip
    return {"province": province, "national": national, "local": local}


def _manufacturer(n: int, type_index: int) -> Manufacturer:
    city, county, short = CITIES[n % len(CITIES)]
    word = TYPES[type_index][1]
    return Manufacturer.objects.create(
        name=f"{short}{WORDS[n % len(WORDS)]}{word}有限公司",
        credit_code=make_credit_code(f"914101{n:02d}MA4{n:06d}"),
        address=f"河南省{city}{county}工业路{n + 1}号",
        city=city,
        county=county,
    )


def _register(institutions, bureau) -> int:
    """Forty manufacturers: licence n of type n % 9, decided in 2014–2016; the listed ones carry a problem."""
    types = {t.code: t for t in InstrumentType.objects.all()}
    pressure, _ = InstrumentType.objects.get_or_create(code="pressure_gauge", defaults={"name": "压力表"})
    added = 0
    for n in range(40):
        type_index = n % len(TYPES)
        code, _, prefix, measuring_range = TYPES[type_index]
        maker = _manufacturer(n, type_index)
        instrument_type = types[code]
        institution = institutions["national" if code == "electricity_meter" and n % 2 else "province"]
        if n == 10:  # water meters evaluated by an institution authorized for them only later
            institution = institutions["local"]
        approved_on = D(2013 + n % 3, 1 + n % 12, 10)
        model = f"{prefix}{100 + n}"
        approval = PatternApproval.objects.create(
            number=f"{approved_on.year}F{200 + n}-41",
            manufacturer=maker,
            instrument_type=instrument_type,
            model_names=f"{model}、{model}A",
            measuring_range=measuring_range,
            accuracy_class="2级" if code == "electricity_meter" else "",
            institution=institution,
            report_number=f"XP{approved_on.year}-{300 + n}",
            department=PROVINCE_DEPARTMENT,
            level=IssuingLevel.PROVINCE,
            approved_on=approved_on,
        )
        accepted_on = approved_on + dt.timedelta(days=60 + n)
        scope = [Scope(instrument_type, model, measuring_range)]
        if n == 4:  # a model with no approval
            scope.append(Scope(instrument_type, f"{prefix}900", measuring_range))
        if n == 13:  # a type not on the key-managed catalogue
            scope.append(Scope(pressure, "Y-100", "(0～1.6)MPa"))
        decided_on = accepted_on + dt.timedelta(days=42 if n in (7, 22) else 18)
        announced_on = decided_on + dt.timedelta(days=45 if n == 16 else 7)
        publicity = Publicity(
            None if n == 25 else announced_on,
            "" if n == 25 else ("website" if n % 2 else "newspaper"),
            None if n in (19, 25) else announced_on + dt.timedelta(days=3),
        )
        licence = licences.licence_grant(
            number=f"(豫)制{decided_on.year}{41000000 + n}号",
            holder=maker,
            department=PROVINCE_DEPARTMENT if n % 4 else f"{CITIES[n % len(CITIES)][0]}质量技术监督局计量科",
            level=IssuingLevel.PROVINCE if n % 4 else IssuingLevel.CITY,
            accepted_on=accepted_on,
            decided_on=decided_on,
            valid_until=add_years(decided_on, 3) - dt.timedelta(days=1),
            scope=scope,
            approvals=[approval],
            publicity=publicity,
            by=bureau,
        )
        if n == 22:  # the long processing was extended and partly spent in expert review: in time after all
            licences.licence_record_extension(
                licence=licence, approved_on=accepted_on + dt.timedelta(days=20), approved_by="处长", by=bureau
            )
            licences.licence_record_excluded_period(
                licence=licence,
                kind="expert_review",
                starts_on=accepted_on + dt.timedelta(days=7),
                ends_on=accepted_on + dt.timedelta(days=13),
                by=bureau,
            )
        added += 1
        _later_decisions(n, licence, bureau)
    return added


def _later_decisions(n: int, licence, bureau) -> None:
    later = licence.decided_on + dt.timedelta(days=200)
    announced = Publicity(later + dt.timedelta(days=5), "website", later + dt.timedelta(days=6))
    if n == 30:
        licences.licence_change(
            licence=licence, decided_on=later, summary="企业地址变更", by=bureau, publicity=announced
        )
    elif n == 31:
        licences.licence_cancel(
            licence=licence, decided_on=later, reason="企业停产，申请注销", by=bureau, publicity=announced
        )
    elif n == 32:
        licences.licence_revoke(
            licence=licence,
            decided_on=later,
            reason="发证部门超越法定职权作出许可",
            by=bureau,
            publicity=announced,
        )


def _handle_some_findings(bureau) -> None:
    """One finding confirmed and one explained, as staff would after a first run."""
    open_findings = LicenceFinding.objects.filter(status=LicenceFinding.Status.OPEN).order_by("pk")
    overdue = open_findings.filter(rule=LicenceFinding.Rule.OVERDUE).first()
    if overdue is not None:
        licences.finding_confirm(finding=overdue, by=bureau, note="经核查属实，已责成整改。")
    late = open_findings.filter(rule=LicenceFinding.Rule.FILING).first()
    if late is not None:
        licences.finding_explain(finding=late, by=bureau, note="已于当时报送纸质材料，系统补录滞后。")
