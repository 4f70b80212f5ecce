"""Events written before the kernel get their state codes and subject back, and nothing else changes (DOMAIN A12)."""

import importlib

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from authorizations.models import LifecycleEvent
from zzmetro.appendonly import ImmutableRecordError

from .factories import ApplicationFactory, CertificateFactory, TerminationRequestFactory

pytestmark = pytest.mark.django_db

NAME = "0008_lifecycle_event_codes_and_subject"
migration = importlib.import_module(f"authorizations.migrations.{NAME}")


def legacy(**fields) -> LifecycleEvent:
    """An event as the old recorder wrote it: labels only, no codes, no subject."""
    return LifecycleEvent.objects.create(**fields)


def fill() -> None:
    """Run the migration's data step on today's rows, with the models as that migration sees them."""
    state = MigrationExecutor(connection).loader.project_state(("authorizations", NAME))
    with connection.schema_editor(atomic=False) as editor:
        migration.fill_codes_and_subjects(state.apps, editor)


def test_legacy_events_get_codes_from_their_labels_and_their_subject():
    """A12: the labels users read stay; codes come from the subject's states; the subject is a real reference."""
    application = ApplicationFactory(accepted=True)
    certificate = CertificateFactory(revoked=True)
    first, second = (
        TerminationRequestFactory(certificate=certificate),
        TerminationRequestFactory(certificate=certificate, rejected=True),
    )
    station = application.station
    accept = legacy(
        station=station,
        application=application,
        action="accept",
        action_label="受理",
        from_state="已提交，待受理",
        to_state="已受理，筹建中",
        note="材料齐全",
    )
    revoke = legacy(
        station=certificate.station,
        certificate=certificate,
        action="revoke",
        action_label="撤销授权",
        from_state="有效",
        to_state="已撤销",
    )
    reports = [
        legacy(station=certificate.station, certificate=certificate, action="termination_report", to_state="待审批")
        for _ in range(2)
    ]
    reject = legacy(
        station=certificate.station,
        certificate=certificate,
        action="termination_reject",
        from_state="待审批",
        to_state="不予批准",
    )
    renamed = legacy(station=station, application=application, action="accept", from_state="旧称", to_state="旧称")

    fill()

    def read(event):
        event = LifecycleEvent.objects.get(pk=event.pk)
        return event.subject, event.from_status, event.to_status, event.from_state, event.to_state

    assert read(accept) == (application, "submitted", "accepted", "已提交，待受理", "已受理，筹建中")
    assert LifecycleEvent.objects.get(pk=accept.pk).note == "材料齐全"
    assert read(revoke) == (certificate, "valid", "revoked", "有效", "已撤销")
    assert [read(e)[:3] for e in reports] == [(first, "", "submitted"), (second, "", "submitted")]
    assert read(reject) == (second, "submitted", "rejected", "待审批", "不予批准")
    assert read(renamed) == (application, "", "", "旧称", "旧称")


def test_the_guard_is_back_after_the_fill():
    """A12: the migration re-installs the database's refusal of changes in the same step."""
    event = legacy(station=ApplicationFactory().station, action="test", action_label="测试")
    fill()
    with pytest.raises(Exception) as refusal, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE authorizations_lifecycleevent SET note = 'x' WHERE id = %s", [event.pk])
    assert "append-only" in str(refusal.value)
    with pytest.raises(ImmutableRecordError):
        LifecycleEvent.objects.filter(pk=event.pk).update(note="x")
