"""Certificate issue, renewal, new items, termination, suspension and revocation (DOMAIN A5–A11)."""

import datetime as dt

import pytest

from authorizations import services
from authorizations.models import Application, Certificate, LifecycleEvent
from authorizations.selectors.applications import application_ban_lifts_on
from authorizations.selectors.certificates import (
    authorized_item_ids_on,
    revocation_returns_overdue,
    station_current_certificate,
)
from zzmetro.errors import DomainError

from .factories import ApplicationFactory, CertificateFactory, StationFactory, VerificationItemFactory

pytestmark = pytest.mark.django_db
State = Certificate.State


def issue(application, bureau, on, seal="郑计授章-001"):
    return services.certificate_issue(application=application, by=bureau, issued_on=on, seal_number=seal)


class TestIssue:
    def test_first_certificate_is_valid_three_years_from_issue_with_items_area_and_seal(self, bureau):
        """A5, A6: unique number, items, area, seal; valid through the day before the third anniversary."""
        items = [VerificationItemFactory(), VerificationItemFactory()]
        application = ApplicationFactory(passed=True, items=items, area="新密市")
        certificate = issue(application, bureau, dt.date(2026, 1, 5))
        assert certificate.number == "ZZJL-2026-0001"
        assert (certificate.valid_from, certificate.expires_on) == (dt.date(2026, 1, 5), dt.date(2029, 1, 4))
        assert set(certificate.items.all()) == set(items)
        assert (certificate.area, certificate.seal_number) == ("新密市", "郑计授章-001")
        application.refresh_from_db()
        assert application.status == Application.Status.CERTIFIED

    def test_certificate_issued_on_29_february_expires_28_february(self, bureau):
        """A6: 2024-02-29 → valid through 2027-02-28."""
        certificate = issue(ApplicationFactory(passed=True), bureau, dt.date(2024, 2, 29))
        assert certificate.expires_on == dt.date(2027, 2, 28)
        assert certificate.state_on(dt.date(2027, 2, 28)) == State.IN_FORCE
        assert certificate.state_on(dt.date(2027, 3, 1)) == State.EXPIRED

    def test_first_certificate_needs_a_seal_number(self, bureau):
        """A5: the special verification seal is issued with the certificate."""
        with pytest.raises(DomainError, match="专用章编号"):
            issue(ApplicationFactory(passed=True), bureau, dt.date(2026, 1, 5), seal=" ")

    def test_certificate_numbers_are_unique_and_run_per_year(self, bureau):
        """A5: each certificate has its own number."""
        first = issue(ApplicationFactory(passed=True), bureau, dt.date(2026, 1, 5))
        second = issue(ApplicationFactory(passed=True), bureau, dt.date(2026, 2, 5))
        third = issue(ApplicationFactory(passed=True), bureau, dt.date(2027, 1, 5))
        assert [first.number, second.number, third.number] == ["ZZJL-2026-0001", "ZZJL-2026-0002", "ZZJL-2027-0001"]

    def test_station_is_not_authorized_after_expiry_without_renewal(self):
        """A7: after expires_on without a renewed certificate the station is no longer authorized."""
        certificate = CertificateFactory(issued_on=dt.date(2023, 7, 1))
        assert certificate.expires_on == dt.date(2026, 6, 30)
        assert station_current_certificate(certificate.station, dt.date(2026, 6, 30)) == certificate
        assert station_current_certificate(certificate.station, dt.date(2026, 7, 1)) is None
        assert authorized_item_ids_on(certificate.station, dt.date(2026, 7, 1)) == set()


class TestRenewal:
    """A7: due no later than six months before expiry; later is accepted but marked late."""

    @pytest.fixture
    def certificate(self):
        return CertificateFactory(issued_on=dt.date(2024, 7, 1))  # expires 2027-06-30, renewal due by 2026-12-30

    @pytest.mark.parametrize(
        ("moment", "late_days"),
        [
            ("2026-12-29 10:00:00+08:00", 0),
            ("2026-12-30 23:59:59+08:00", 0),
            ("2026-12-31 00:00:01+08:00", 1),
            ("2027-01-09 09:00:00+08:00", 10),
        ],
    )
    def test_renewal_lateness_is_counted_in_beijing_days(self, certificate, freeze, moment, late_days):
        """A7, T1: the deadline day ends at 23:59:59 Beijing time (15:59:59 UTC)."""
        freeze(moment)
        renewal = services.application_submit(
            station=certificate.station,
            by=None,
            kind=Application.Kind.RENEWAL,
            certificate=certificate,
            items=list(certificate.items.all()),
            area=certificate.area,
        )
        assert renewal.renewal_deadline == dt.date(2026, 12, 30)
        assert renewal.late_days == late_days
        assert renewal.is_late == bool(late_days)

    def test_late_renewal_is_noted_on_its_event(self, certificate):
        renewal = services.application_submit(
            station=certificate.station,
            by=None,
            kind=Application.Kind.RENEWAL,
            certificate=certificate,
            items=list(certificate.items.all()),
            area="新密市",
            today=dt.date(2027, 2, 1),
        )
        assert "逾期申请" in LifecycleEvent.objects.get(application=renewal).note

    def test_renewal_after_expiry_is_refused_with_the_way_forward(self, certificate):
        with pytest.raises(DomainError, match="已于2027年06月30日期满.*首次申请"):
            services.application_submit(
                station=certificate.station,
                by=None,
                kind=Application.Kind.RENEWAL,
                certificate=certificate,
                items=list(certificate.items.all()),
                area="新密市",
                today=dt.date(2027, 7, 1),
            )

    def test_passed_renewal_starts_the_day_after_the_old_certificate_ends(self, certificate, bureau):
        renewal = ApplicationFactory(
            passed=True, station=certificate.station, kind=Application.Kind.RENEWAL, certificate=certificate
        )
        new = services.certificate_issue(application=renewal, by=bureau, issued_on=dt.date(2027, 3, 15))
        assert new.previous == certificate
        assert (new.valid_from, new.expires_on) == (dt.date(2027, 7, 1), dt.date(2030, 6, 30))
        assert new.seal_number == certificate.seal_number
        assert new.state_on(dt.date(2027, 6, 30)) == State.NOT_YET
        assert station_current_certificate(certificate.station, dt.date(2027, 6, 30)) == certificate
        assert station_current_certificate(certificate.station, dt.date(2027, 7, 1)) == new

    def test_renewal_issued_after_expiry_does_not_authorize_the_gap_backwards(self, certificate, bureau):
        renewal = ApplicationFactory(
            passed=True, station=certificate.station, kind=Application.Kind.RENEWAL, certificate=certificate
        )
        new = services.certificate_issue(application=renewal, by=bureau, issued_on=dt.date(2027, 7, 20))
        assert new.valid_from == dt.date(2027, 7, 20)
        assert station_current_certificate(certificate.station, dt.date(2027, 7, 10)) is None

    def test_a_certificate_is_renewed_only_once(self, certificate, bureau):
        renewal = ApplicationFactory(
            passed=True, station=certificate.station, kind=Application.Kind.RENEWAL, certificate=certificate
        )
        services.certificate_issue(application=renewal, by=bureau, issued_on=dt.date(2027, 3, 15))
        with pytest.raises(DomainError, match="已经延续"):
            services.application_submit(
                station=certificate.station,
                by=None,
                kind=Application.Kind.RENEWAL,
                certificate=certificate,
                items=list(certificate.items.all()),
                area="新密市",
                today=dt.date(2027, 4, 1),
            )


class TestNewItems:
    """A8: items added during validity join the current certificate with the same expiry."""

    def test_new_items_join_the_certificate_from_their_issue_day(self, bureau):
        old_item, new_item = VerificationItemFactory(), VerificationItemFactory()
        certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1), items=[old_item])
        application = services.application_submit(
            station=certificate.station,
            by=None,
            kind=Application.Kind.NEW_ITEMS,
            certificate=certificate,
            items=[new_item],
            area=certificate.area,
            today=dt.date(2026, 2, 1),
        )
        Application.objects.filter(pk=application.pk).update(status=Application.Status.PASSED)
        result = services.certificate_issue(application=application, by=bureau, issued_on=dt.date(2026, 4, 1))
        assert result == certificate
        certificate.refresh_from_db()
        assert certificate.expires_on == dt.date(2027, 12, 31)
        assert set(certificate.items.all()) == {old_item, new_item}
        assert authorized_item_ids_on(certificate.station, dt.date(2026, 3, 31)) == {old_item.pk}
        assert authorized_item_ids_on(certificate.station, dt.date(2026, 4, 1)) == {old_item.pk, new_item.pk}
        assert LifecycleEvent.objects.filter(certificate=certificate, action_label__contains="证书变更").exists()

    def test_items_already_on_the_certificate_are_refused_by_name(self):
        item = VerificationItemFactory(name="水表")
        certificate = CertificateFactory(items=[item])
        with pytest.raises(DomainError, match="以下项目已在证书.*水表"):
            services.application_submit(
                station=certificate.station,
                by=None,
                kind=Application.Kind.NEW_ITEMS,
                certificate=certificate,
                items=[item],
                area="郑州",
                today=dt.date(2026, 2, 1),
            )


class TestTermination:
    """A9: six months' written notice and bureau approval; authorized with all duties until the end date."""

    @pytest.fixture
    def certificate(self):
        return CertificateFactory(issued_on=dt.date(2025, 1, 1))

    def test_end_date_less_than_six_months_after_the_report_is_refused(self, certificate):
        with pytest.raises(DomainError, match="最早为2026年09月01日"):
            services.termination_report(
                certificate=certificate,
                by=None,
                reported_on=dt.date(2026, 3, 1),
                requested_end_on=dt.date(2026, 8, 31),
                reason="业务调整",
            )

    def test_end_date_exactly_six_months_after_the_report_is_accepted(self, certificate):
        request = services.termination_report(
            certificate=certificate,
            by=None,
            reported_on=dt.date(2026, 3, 1),
            requested_end_on=dt.date(2026, 9, 1),
            reason="业务调整",
        )
        assert request.status == request.Status.SUBMITTED

    def test_station_stays_authorized_until_approval_and_through_the_end_date(self, certificate, bureau):
        request = services.termination_report(
            certificate=certificate,
            by=None,
            reported_on=dt.date(2026, 3, 1),
            requested_end_on=dt.date(2026, 9, 30),
            reason="业务调整",
        )
        assert Certificate.objects.in_force_on(dt.date(2026, 10, 15)).filter(pk=certificate.pk).exists()
        services.termination_approve(termination=request, by=bureau, today=dt.date(2026, 3, 20))
        certificate.refresh_from_db()
        assert certificate.status == Certificate.Status.TERMINATED
        assert certificate.state_on(dt.date(2026, 9, 30)) == State.IN_FORCE
        assert certificate.state_on(dt.date(2026, 10, 1)) == State.TERMINATED
        assert Certificate.objects.in_force_on(dt.date(2026, 9, 30)).filter(pk=certificate.pk).exists()
        assert not Certificate.objects.in_force_on(dt.date(2026, 10, 1)).filter(pk=certificate.pk).exists()

    def test_rejection_needs_a_reason_and_keeps_the_certificate(self, certificate, bureau):
        request = services.termination_report(
            certificate=certificate,
            by=None,
            reported_on=dt.date(2026, 3, 1),
            requested_end_on=dt.date(2026, 10, 1),
            reason="业务调整",
        )
        with pytest.raises(DomainError, match="理由"):
            services.termination_reject(termination=request, by=bureau, note="")
        services.termination_reject(termination=request, by=bureau, note="辖区内无替代检定机构")
        certificate.refresh_from_db()
        assert certificate.status == Certificate.Status.VALID and certificate.terminated_on is None


class TestSuspension:
    """A10: while suspended the station may not verify."""

    def test_suspended_station_has_no_verifiable_items_until_lifted(self, bureau):
        certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1))
        services.certificate_suspend(
            certificate=certificate,
            by=bureau,
            starts_on=dt.date(2026, 5, 1),
            planned_end_on=dt.date(2026, 7, 31),
            reason="计量标准过期",
        )
        station = certificate.station
        assert authorized_item_ids_on(station, dt.date(2026, 4, 30))
        assert authorized_item_ids_on(station, dt.date(2026, 5, 1)) == set()
        certificate.refresh_from_db()
        assert certificate.state_on(dt.date(2026, 5, 1)) == State.SUSPENDED
        services.certificate_lift_suspension(certificate=certificate, by=bureau, lifted_on=dt.date(2026, 6, 15))
        assert authorized_item_ids_on(station, dt.date(2026, 6, 14)) == set()
        assert authorized_item_ids_on(station, dt.date(2026, 6, 15))
        certificate.refresh_from_db()
        assert certificate.status == Certificate.Status.VALID

    def test_suspending_twice_is_refused_naming_the_state(self, bureau):
        certificate = CertificateFactory()
        services.certificate_suspend(
            certificate=certificate,
            by=bureau,
            starts_on=dt.date(2026, 5, 1),
            planned_end_on=dt.date(2026, 6, 1),
            reason="整改",
        )
        with pytest.raises(DomainError, match="当前状态为“暂停”"):
            services.certificate_suspend(
                certificate=certificate,
                by=bureau,
                starts_on=dt.date(2026, 5, 2),
                planned_end_on=dt.date(2026, 6, 1),
                reason="整改",
            )

    def test_expired_certificate_cannot_be_suspended(self, bureau):
        certificate = CertificateFactory(issued_on=dt.date(2020, 1, 1))
        with pytest.raises(DomainError, match="已过期"):
            services.certificate_suspend(
                certificate=certificate,
                by=bureau,
                starts_on=dt.date(2026, 5, 1),
                planned_end_on=dt.date(2026, 6, 1),
                reason="x",
            )


class TestRevocation:
    """A11: return of seal and certificate within 30 days; three-year ban for the same credit code."""

    @pytest.fixture
    def revoked(self, bureau):
        certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1))
        return services.certificate_revoke(
            certificate=certificate, by=bureau, decided_on=dt.date(2026, 3, 2), reason="整改后仍不合格"
        )

    def test_revocation_records_decision_number_and_return_due_date(self, revoked):
        assert revoked.status == Certificate.Status.REVOKED
        assert revoked.revocation_number.startswith("郑质监量撤〔2026〕")
        assert revoked.return_due_on == dt.date(2026, 4, 1)

    def test_return_is_overdue_only_after_the_thirtieth_day(self, revoked):
        assert not revoked.return_overdue_on(dt.date(2026, 4, 1))
        assert revoked.return_overdue_on(dt.date(2026, 4, 2))
        assert list(revocation_returns_overdue(dt.date(2026, 4, 1))) == []
        assert list(revocation_returns_overdue(dt.date(2026, 4, 2))) == [revoked]

    def test_returned_seal_and_certificate_clear_the_flag(self, revoked, bureau):
        services.certificate_record_return(certificate=revoked, by=bureau, seal_returned_on=dt.date(2026, 3, 20))
        revoked.refresh_from_db()
        assert revoked.return_overdue_on(dt.date(2026, 5, 1))  # the certificate is still out
        services.certificate_record_return(certificate=revoked, by=bureau, certificate_returned_on=dt.date(2026, 5, 2))
        revoked.refresh_from_db()
        assert not revoked.return_overdue_on(dt.date(2026, 5, 3))

    def test_new_application_inside_the_ban_is_refused_with_the_date_it_opens(self, revoked):
        items = [VerificationItemFactory()]
        with pytest.raises(DomainError, match="2029年03月02日起重新申请"):
            services.application_submit(
                station=revoked.station, by=None, items=items, area="郑州", today=dt.date(2029, 3, 1)
            )
        assert not Application.objects.filter(station=revoked.station, kind="new", status="submitted").exists()
        application = services.application_submit(
            station=revoked.station, by=None, items=items, area="郑州", today=dt.date(2029, 3, 2)
        )
        assert application.status == Application.Status.SUBMITTED

    def test_ban_after_a_29_february_revocation_opens_on_1_march(self, bureau):
        certificate = CertificateFactory(issued_on=dt.date(2023, 6, 1))
        services.certificate_revoke(
            certificate=certificate, by=bureau, decided_on=dt.date(2024, 2, 29), reason="伪造检定证书"
        )
        assert application_ban_lifts_on(
            credit_code=certificate.station.credit_code, day=dt.date(2027, 2, 28)
        ) == dt.date(2027, 3, 1)
        assert application_ban_lifts_on(credit_code=certificate.station.credit_code, day=dt.date(2027, 3, 1)) is None

    def test_revoking_twice_is_refused_naming_the_state(self, revoked, bureau):
        with pytest.raises(DomainError, match="当前状态为“已撤销”"):
            services.certificate_revoke(certificate=revoked, by=bureau, decided_on=dt.date(2026, 3, 3), reason="重复")

    def test_revocation_ends_authority_from_the_decision_date(self, revoked):
        station = revoked.station
        assert authorized_item_ids_on(station, dt.date(2026, 3, 1))
        assert authorized_item_ids_on(station, dt.date(2026, 3, 2)) == set()
        assert revoked.state_on(dt.date(2026, 3, 2)) == State.REVOKED

    def test_revoking_a_suspended_certificate_closes_the_suspension(self, bureau):
        certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1))
        services.certificate_suspend(
            certificate=certificate,
            by=bureau,
            starts_on=dt.date(2026, 1, 1),
            planned_end_on=dt.date(2026, 3, 1),
            reason="整改",
        )
        services.certificate_revoke(
            certificate=certificate, by=bureau, decided_on=dt.date(2026, 4, 1), reason="整改后仍不合格"
        )
        assert certificate.suspensions.get().lifted_on == dt.date(2026, 4, 1)


def test_field_history_of_certificates_and_stations_is_kept(bureau):
    """A12 (admin history): every change to a station or certificate row is kept with its author."""
    certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1))
    services.certificate_suspend(
        certificate=certificate,
        by=bureau,
        starts_on=dt.date(2026, 1, 1),
        planned_end_on=dt.date(2026, 2, 1),
        reason="整改",
    )
    statuses = list(certificate.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["valid", "suspended"]
    station = StationFactory(name="旧名称")
    station.name = "新名称"
    station.save()
    assert [h.name for h in station.history.order_by("history_date")] == ["旧名称", "新名称"]
