"""The one state machine every app stands on (DOMAIN A2–A12, M2–M7, I1–I8, L2): tables, checks, events, notices.

Each stateful model declares its table once, as a class attribute:

    class Application(models.Model):
        class Status(models.TextChoices): ...
        workflow = Workflow(
            events="authorizations.LifecycleEvent",
            event_fields=lambda application: {"station": application.station, "application": application},
            moves=[
                Move("accept", "受理", source=[Status.SUBMITTED], target=Status.ACCEPTED),
                ...
            ],
        )

and every service changes state only through `transition()`, which refuses a move the table does not have (naming
the current state), saves the row, writes exactly one append-only event and queues the notices through the outbox —
all in the caller's transaction, so a rollback leaves neither a state, an event nor a mail behind. Steps that are
not a change of state (an upload, a certificate change) write their event with `record()`.

The kernel imports no app: a table names its event model by its label and says how to fill the app's own columns
(the station, a legacy foreign key) with `event_fields`.
"""

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models

from zzmetro.errors import DomainError


@dataclass(frozen=True)
class Move:
    """One legal move: its code (stored on the event), the verb users read ("受理"), from which states, to which."""

    action: str
    label: str
    source: Iterable[str]
    target: str
    refusal: str = ""  # what a refusal says after naming the current state, where "不能<verb>" would not explain it

    def opens_from(self, state: str) -> bool:
        return state in set(self.source)


@dataclass(frozen=True)
class Notice:
    """An e-mail a move sends through the outbox; the app composes it (who, what), the kernel queues it."""

    subject: str
    body: str
    to: list[str]
    topic: str = ""


@dataclass
class Workflow:
    """A model's transition table; `field` holds the state on the row (kept there for filtering)."""

    moves: list[Move]
    events: str  # "app_label.ModelName" of the append-only event table
    event_fields: Callable[[Any], dict] = lambda obj: {}
    field: str = "status"
    model: type[models.Model] | None = dataclasses.field(default=None, repr=False)

    def contribute_to_class(self, cls, name):
        # Django hands class attributes with this hook their model, so the table knows whose states it holds.
        self.model = cls
        setattr(cls, name, self)

    # --- reading the table -------------------------------------------------------------------------------

    def state(self, obj) -> str:
        return getattr(obj, self.field)

    def state_label(self, state: str) -> str:
        if not state:
            return ""
        choices = dict(self.model._meta.get_field(self.field).choices)
        return str(choices.get(state, state))

    def states(self) -> list[str]:
        return [value for value, _ in self.model._meta.get_field(self.field).choices]

    def open_moves(self, obj) -> list[Move]:
        """The moves the table allows from the row's current state, in the table's order."""
        current = self.state(obj)
        return [move for move in self.moves if move.opens_from(current)]

    def move(self, obj, to: str) -> Move | None:
        current = self.state(obj)
        return next((m for m in self.moves if m.target == to and m.opens_from(current)), None)

    def verb(self, to: str) -> str:
        """What moving to `to` is called, for a refusal when no move from the current state leads there."""
        return next((m.label for m in self.moves if m.target == to), f"改为“{self.state_label(to)}”")

    def refusal(self, to: str) -> str:
        """Why moving to `to` is refused: the move's own wording if it has one, else "不能<verb>"."""
        return next((m.refusal for m in self.moves if m.target == to and m.refusal), f"不能{self.verb(to)}")

    def event_model(self):
        return apps.get_model(self.events)


def table(obj_or_model) -> Workflow:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    workflow = getattr(model, "workflow", None)
    if not isinstance(workflow, Workflow):
        raise TypeError(f"{model.__name__} declares no workflow")
    return workflow


def stateful_models() -> list[type[models.Model]]:
    """Every installed model with a transition table, for the admin and the table-wide tests."""
    return [m for m in apps.get_models() if isinstance(getattr(m, "workflow", None), Workflow)]


def can(obj, to: str) -> bool:
    return table(obj).move(obj, to) is not None


def ensure(obj, *, to: str) -> Move:
    """The one transition check: the move from the current state to `to`, or a refusal naming the current state.

    Inside a transaction (every service) a saved row is locked and checked against its state in the database, so a
    service that writes other rows before its transition() already holds the row (A12).
    """
    if obj.pk is not None and connection.in_atomic_block:
        _check_not_moved(obj, table(obj), to)
    return _allowed(obj, to)


def _allowed(obj, to: str) -> Move:
    workflow = table(obj)
    move = workflow.move(obj, to)
    if move is None:
        current = workflow.state_label(workflow.state(obj))
        raise DomainError(f"{obj._meta.verbose_name}当前状态为“{current}”，{workflow.refusal(to)}。")
    return move


def transition(
    obj,
    *,
    to: str,
    by,
    note: str = "",
    documents: str = "",
    label: str = "",
    notices: Iterable[Notice] = (),
    update_fields: Iterable[str] = (),
    **event_extra,
):
    """Check the move, save the row's new state (and `update_fields`), write its event, queue its notices.

    `label` overrides the move's verb on the event where users expect a fuller wording ("颁发证书"); extra keyword
    arguments go to the event's own columns. Returns the event. Call it inside the service's transaction: a saved
    row is locked (SELECT … FOR UPDATE) and the move is checked against the state in the database, so of two
    concurrent moves on one row the second waits for the first and is refused naming the state it left (A12).
    """
    workflow = table(obj)
    if obj.pk is not None:
        _check_not_moved(obj, workflow, to)
    move = _allowed(obj, to)
    before = workflow.state(obj)
    setattr(obj, workflow.field, to)
    if obj.pk is None:
        obj.save()
    else:
        obj.save(update_fields=sorted({workflow.field, *update_fields}))
    event = record(
        obj,
        action=move.action,
        label=label or move.label,
        by=by,
        before=before,
        note=note,
        documents=documents,
        **event_extra,
    )
    for notice in notices:
        _queue(notice)
    return event


def _check_not_moved(obj, workflow: Workflow, to: str) -> None:
    """Lock the row and refuse when its state in the database is no longer the one the caller read.

    The caller decided on the state it read; if another request moved the row meanwhile, the decision is stale even
    where the table would allow the move from the new state (a double submission must not write two events).
    """
    stored = (
        type(obj)
        ._base_manager.select_for_update(of=("self",))
        .filter(pk=obj.pk)
        .order_by()
        .values_list(workflow.field, flat=True)
        .first()
    )
    if stored is None or stored == workflow.state(obj):
        return
    current = workflow.state_label(stored)
    raise DomainError(f"{obj._meta.verbose_name}当前状态为“{current}”，{workflow.refusal(to)}。")


def record(
    obj, *, action: str, label: str, by, before: str | None = None, note: str = "", documents: str = "", **extra
):
    """The one event recorder: append an event about `obj` to its table's event log, in the caller's transaction.

    `before` is the state the row had (None when the step did not change state: both sides are the current state
    only for a transition; a plain record shows none). `obj` may be the model itself for a step about the whole
    register (a check run over every licence): the event then has no subject.
    """
    from django.contrib.contenttypes.models import ContentType

    workflow = table(obj)
    if isinstance(obj, type):
        return workflow.event_model().objects.create(
            action=action[:32],
            action_label=label[:50],
            by=by if getattr(by, "pk", None) else None,
            note=note,
            document=documents[:80],
            **extra,
        )
    after = workflow.state(obj)
    changed = before is not None
    fields = {
        "action": action[:32],
        "action_label": label[:50],
        "from_status": (before or "") if changed else "",
        "to_status": after if changed else "",
        "from_state": workflow.state_label(before or "") if changed else "",
        "to_state": workflow.state_label(after) if changed else "",
        "by": by if getattr(by, "pk", None) else None,
        "note": note,
        "document": documents[:80],
        "subject_type": ContentType.objects.get_for_model(type(obj)),
        "subject_id": obj.pk,
        **workflow.event_fields(obj),
        **extra,
    }
    return workflow.event_model().objects.create(**fields)


def _queue(notice: Notice) -> None:
    from zzmetro.outbox import queue_mail

    if notice.to:
        queue_mail(notice.subject, notice.body, notice.to, topic=notice.topic)
