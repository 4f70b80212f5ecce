"""Load the demo: the bureau, twelve stations in every lifecycle state, and the four demo accounts.

Idempotent: a station already registered (same credit code) and an existing account are left as they are.
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from authorizations import services
from authorizations.demo_data import ITEM_CATALOGUE, STATIONS
from authorizations.models import AssessmentFinding, Role, Station, User, VerificationItem
from authorizations.validators import make_credit_code
from zzmetro.dates import add_months, add_years, beijing_today

PASSWORD = "zzmetro-demo"
FULL_PREPARATION = {
    "prep_standards": "已建立相应计量标准并取得计量标准考核证书，配套设施齐全",
    "prep_environment": "检定室温湿度受控，满足检定规程要求",
    "prep_personnel": "检定人员均经考核合格，持有计量检定员证",
    "prep_management": "已发布质量手册、程序文件和检定工作管理制度",
}


class Command(BaseCommand):
    help = "载入演示数据（可重复执行）"

    def handle(self, *args, **options):
        today = beijing_today()
        with transaction.atomic():
            self.items = self._catalogue()
            self.bureau = self._user("bureau", Role.BUREAU, None, last_name="刘", first_name="计量处")
            self._user("manager", Role.MANAGER, None, last_name="张", first_name="处长")
            created = 0
            for index, row in enumerate(STATIONS):
                station, is_new = self._station(row)
                if is_new:
                    self._lifecycle(index, station, [self.items[c] for c in row[6]], today)
                    created += 1
            self._user(
                "officer1", Role.OFFICER, Station.objects.get(name=STATIONS[0][0]), last_name="王", first_name="信息员"
            )
            self._user(
                "officer2", Role.OFFICER, Station.objects.get(name=STATIONS[1][0]), last_name="李", first_name="信息员"
            )
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪：新建单位{created}家，共{Station.objects.count()}家。"))

    def _catalogue(self):
        for code, name, regulation, key_type in ITEM_CATALOGUE:
            VerificationItem.objects.update_or_create(
                code=code, defaults={"name": name, "regulation": regulation, "key_instrument_type": key_type}
            )
        return {i.code: i for i in VerificationItem.objects.all()}

    def _user(self, username, role, station, **names):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "station": station,
                "email": f"{username}@zzmetro.local",
                "is_staff": role != Role.OFFICER,
                **names,
            },
        )
        if created:
            user.set_password(PASSWORD)
        # The demo's published password may stay only in the demo (DEBUG); anywhere else its owner replaces it.
        user.must_change_password = not settings.DEBUG
        user.save()
        return user

    def _station(self, row):
        name, stem, district, industry, address, contact, _items = row
        return Station.objects.get_or_create(
            credit_code=make_credit_code(stem),
            defaults={
                "name": name,
                "district": district,
                "industry": industry,
                "address": address,
                "contact_person": contact,
                "contact_phone": f"0371-6{7000000 + len(name) * 1371:07d}"[:13],
                "email": f"jlz{stem[-2:]}@zzmetro.local",
                "legal_representative": contact,
            },
        )

    def _lifecycle(self, index, station, items, today):
        """Walk each station through the real services so its history is complete."""
        if index == 10:  # under review: submitted last week
            services.application_submit(
                station=station, by=None, items=items, area="郑州市行政区域内", today=today - dt.timedelta(days=6)
            )
            return
        if index == 11:  # in assessment
            application = self._apply(station, items, today - dt.timedelta(days=60))
            services.assessment_start(
                application=application,
                by=self.bureau,
                planned_on=today + dt.timedelta(days=10),
                leader="赵国强",
                experts=["钱学文", "孙立平"],
                organization="郑州市计量科学研究院",
            )
            return
        # Issue dates spread so one certificate expires within six months (index 2) and the others later.
        issued = add_months(add_years(today, -3), 4) if index == 2 else add_months(today, -(index * 3 + 2))
        certificate = self._certify(station, items, issued)
        if index == 9:
            services.certificate_revoke(
                certificate=certificate,
                by=self.bureau,
                decided_on=today - dt.timedelta(days=45),
                reason="监督检查不合格，经限期整改仍达不到原考核条件",
            )
        elif index == 7:
            services.certificate_suspend(
                certificate=certificate,
                by=self.bureau,
                starts_on=today - dt.timedelta(days=20),
                planned_end_on=today + dt.timedelta(days=70),
                reason="甲烷测定器计量标准超过有效期，暂停授权至标准复查合格",
            )

    def _apply(self, station, items, filed_on):
        application = services.application_submit(
            station=station, by=None, items=items, area=f"{station.get_district_display()}行政区域内", today=filed_on
        )
        services.application_accept(application=application, by=self.bureau, today=filed_on + dt.timedelta(days=5))
        services.application_record_preparation(application=application, by=None, **FULL_PREPARATION)
        return services.application_request_assessment(
            application=application, by=None, today=filed_on + dt.timedelta(days=30)
        )

    def _certify(self, station, items, issued_on):
        application = self._apply(station, items, issued_on - dt.timedelta(days=75))
        services.assessment_start(
            application=application,
            by=self.bureau,
            planned_on=issued_on - dt.timedelta(days=30),
            leader="赵国强",
            experts=["钱学文", "孙立平"],
            organization="郑州市计量科学研究院",
        )
        findings = {c.value: (AssessmentFinding.Result.CONFORMS, "") for c in AssessmentFinding.Criterion}
        services.assessment_conclude(
            application=application,
            by=self.bureau,
            held_on=issued_on - dt.timedelta(days=30),
            findings=findings,
            conclusion="pass",
            summary="符合JJF（豫）1002要求，同意授权",
        )
        return services.certificate_issue(
            application=application,
            by=self.bureau,
            issued_on=issued_on,
            seal_number=f"郑计授章-{station.credit_code[-4:]}",
        )
