"""The review workspace store (SQLAlchemy; the audit trail's database, SQLite or PostgreSQL).

Opening it brings the schema up to date (the audit migrations include the workspace tables).
Decisions are compare-and-set on ``version`` inside one transaction, and the caller's publish
step runs inside that transaction: a decision is stored only if its event was published, and a
second decision on the same version finds no row to update (``REVIEW_TASK_STALE``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, and_, select
from sqlalchemy.exc import IntegrityError

from connectors.stores import review_tables as tables
from connectors.stores.audit import AuditStore
from docket.model import FieldCorrection, ReviewCompleted, ReviewRequested, VendorFieldPositions
from docket.review import errors
from docket.review.masking import Unmasking
from docket.review.positions import FieldPosition, learned_position, positions_record, positions_to_learn
from docket.review.tasks import OPEN, STATUS_OF_DECISION, SUPERSEDED, Task, User, task_from_request

Publish = Callable[[], None]
PublishPositions = Callable[[list[VendorFieldPositions]], None]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _task(row: RowMapping) -> Task:
    created = _aware(row["created_at"])
    assert created is not None
    return Task(task_id=row["task_id"], document_id=row["document_id"], legal_entity=row["legal_entity"],
                document_type=row["document_type"], created_at=created, status=row["status"],
                version=row["version"], vendor=row["vendor"],
                amount=None if row["amount"] is None else Decimal(row["amount"]), currency=row["currency"],
                due_at=_aware(row["due_at"]), reasons=tuple(row["reasons"]), assignee=row["assignee"],
                opened_at=_aware(row["opened_at"]), decided_at=_aware(row["decided_at"]),
                decided_by=row["decided_by"], request_event_id=row["request_event_id"])


def _user(row: RowMapping) -> User:
    limit = row["approval_limit"]
    return User(login=row["login"], role=row["role"], entities=frozenset(row["entities"]),
                approval_limit=None if limit is None else Decimal(limit), display_name=row["display_name"])


def _corrections_json(corrections: Iterable[FieldCorrection]) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") for c in corrections]


class ReviewStore:
    """Tasks, actions, users, unmask log and learned positions in the database at ``url``."""

    def __init__(self, database: str | AuditStore) -> None:
        """``database``: a URL, or an audit store already open on the same database (a worker shares
        one engine between its audit and review agents). Opening runs every migration, the workspace's
        included."""
        self.audit = database if isinstance(database, AuditStore) else AuditStore(database)

    @property
    def engine(self) -> Engine:
        return self.audit.engine

    def close(self) -> None:
        self.audit.close()

    # -- tasks --------------------------------------------------------------------------------------

    def add_request(self, request: ReviewRequested) -> bool:
        """Store the task ``request`` opens, superseding older open tasks of the same document.
        False when the task is already stored (a redelivered request changes nothing)."""
        task = task_from_request(request)
        t = tables.tasks
        try:
            with self.engine.begin() as connection:
                if connection.execute(select(t.c.task_id).where(t.c.task_id == task.task_id)).first():
                    return False
                older = connection.execute(select(t.c.task_id, t.c.version).where(and_(
                    t.c.document_id == task.document_id, t.c.status == OPEN))).all()
                for task_id, version in older:
                    connection.execute(t.update().where(t.c.task_id == task_id).values(
                        status=SUPERSEDED, version=version + 1))
                connection.execute(t.insert(), dict(
                    task_id=task.task_id, document_id=task.document_id, legal_entity=task.legal_entity,
                    document_type=task.document_type, vendor=task.vendor, amount=task.amount,
                    currency=task.currency, due_at=task.due_at, reasons=list(task.reasons),
                    payload=request.model_dump(mode="json"), request_event_id=task.request_event_id,
                    status=OPEN, version=task.version, created_at=task.created_at))
        except IntegrityError:
            return False  # a concurrent consumer stored it first
        return True

    def task(self, task_id: str) -> Task:
        """The task; raises REVIEW_TASK_NOT_FOUND."""
        with self.engine.connect() as connection:
            row = connection.execute(select(tables.tasks).where(tables.tasks.c.task_id == task_id)).mappings().first()
        if row is None:
            raise errors.not_found(task_id)
        return _task(row)

    def request(self, task_id: str) -> ReviewRequested:
        """The ``ReviewRequested`` the task was made from; raises REVIEW_TASK_NOT_FOUND."""
        with self.engine.connect() as connection:
            payload = connection.execute(select(tables.tasks.c.payload).where(
                tables.tasks.c.task_id == task_id)).scalar()
        if payload is None:
            raise errors.not_found(task_id)
        return ReviewRequested.model_validate(payload)

    def tasks(self, *, status: str | None = OPEN, legal_entities: Iterable[str] | None = None) -> list[Task]:
        """Tasks with ``status`` (None: any) of ``legal_entities`` (None: all)."""
        t = tables.tasks
        query = select(t.c.task_id, t.c.document_id, t.c.legal_entity, t.c.document_type, t.c.vendor, t.c.amount,
                       t.c.currency, t.c.due_at, t.c.reasons, t.c.status, t.c.version, t.c.assignee,
                       t.c.created_at, t.c.opened_at, t.c.decided_at, t.c.decided_by, t.c.request_event_id)
        if status is not None:
            query = query.where(t.c.status == status)
        entities = None if legal_entities is None else sorted(set(legal_entities))
        if entities is not None and "*" not in entities:
            query = query.where(t.c.legal_entity.in_(entities))
        with self.engine.connect() as connection:
            return [_task(row) for row in connection.execute(query).mappings()]

    def mark_opened(self, task_id: str, login: str, now: datetime) -> Task:
        """Record that ``login`` opened the task; the first opening starts its touch time."""
        t = tables.tasks
        with self.engine.begin() as connection:
            row = connection.execute(select(t).where(t.c.task_id == task_id)).mappings().first()
            if row is None:
                raise errors.not_found(task_id)
            if row["opened_at"] is None and row["status"] == OPEN:
                connection.execute(t.update().where(t.c.task_id == task_id).values(opened_at=now))
            self._action(connection, row["task_id"], row["document_id"], login, "opened", now, row["version"])
        return self.task(task_id)

    def commit_change(self, changed: Task, *, seen_version: int, actor: str, action: str, now: datetime,
                      detail: str | None = None, review: ReviewCompleted | None = None,
                      publish: Publish | None = None, publish_positions: PublishPositions | None = None) -> Task:
        """Store ``changed`` (made from version ``seen_version``) if the task is still open at that version.

        In the same transaction: the action row (with the review's corrections and event id), the
        field positions its clicked boxes teach, ``publish_positions`` with every position now known for
        each vendor and document type that learned one (for ``vendors.field-positions``), then
        ``publish`` — an exception from either undoes all. Raises REVIEW_TASK_STALE / REVIEW_TASK_CLOSED
        when someone else changed the task first.
        """
        t = tables.tasks
        with self.engine.begin() as connection:
            updated = connection.execute(t.update().where(and_(
                t.c.task_id == changed.task_id, t.c.version == seen_version, t.c.status == OPEN)).values(
                status=changed.status, version=changed.version, assignee=changed.assignee,
                decided_at=changed.decided_at, decided_by=changed.decided_by))
            if updated.rowcount != 1:
                current = connection.execute(select(t.c.status, t.c.version).where(
                    t.c.task_id == changed.task_id)).first()
                if current is None:
                    raise errors.not_found(changed.task_id)
                if current.status != OPEN:
                    raise errors.closed(changed.task_id, current.status)
                raise errors.stale(changed.task_id, seen_version, current.version)
            corrections = review.corrections if review else []
            self._action(connection, changed.task_id, changed.document_id, actor, action, now, seen_version,
                         detail=detail, corrections=corrections, event_id=review.envelope.event_id if review else None)
            if review is not None and review.decision == "approve":
                learned = self._learn_positions(connection, changed, review, now)
                if learned and publish_positions is not None:
                    publish_positions([self._positions_record(connection, changed.legal_entity, vendor_id,
                                                              changed.document_type, now) for vendor_id in learned])
            if publish is not None:
                publish()
        return self.task(changed.task_id)

    def apply_completion(self, review: ReviewCompleted, now: datetime) -> bool:
        """Close the task a ``ReviewCompleted`` decided (published here or by any other client).

        Idempotent by event id: False when this event was applied before. A verdict on a task that
        is already closed is recorded in the actions and leaves the task as it is.
        """
        t, a = tables.tasks, tables.actions
        status = STATUS_OF_DECISION.get(review.decision)
        try:
            with self.engine.begin() as connection:
                if connection.execute(select(a.c.id).where(a.c.event_id == review.envelope.event_id)).first():
                    return False
                row = connection.execute(select(t.c.status, t.c.version).where(
                    t.c.task_id == review.task_id)).first()
                if row is not None and row.status == OPEN and status is not None:
                    connection.execute(t.update().where(t.c.task_id == review.task_id).values(
                        status=status, version=row.version + 1, decided_at=review.decided_at,
                        decided_by=review.reviewer))
                self._action(connection, review.task_id, review.envelope.document_id, review.reviewer,
                             review.decision, review.decided_at, review.task_version, detail=review.reason,
                             corrections=review.corrections, event_id=review.envelope.event_id)
        except IntegrityError:
            return False
        return True

    def actions(self, task_id: str) -> list[dict[str, Any]]:
        """The task's actions, oldest first (who, what, when, corrections)."""
        a = tables.actions
        with self.engine.connect() as connection:
            rows = connection.execute(select(a).where(a.c.task_id == task_id).order_by(a.c.id)).mappings().all()
        return [{**row, "at": _aware(row["at"])} for row in rows]

    def _action(self, connection: Connection, task_id: str, document_id: str, actor: str, action: str,
                at: datetime, version: int, *, detail: str | None = None,
                corrections: Iterable[FieldCorrection] = (), event_id: str | None = None) -> None:
        connection.execute(tables.actions.insert(), dict(
            task_id=task_id, document_id=document_id, actor=actor, action=action, at=at, task_version=version,
            detail=detail, corrections=_corrections_json(corrections), event_id=event_id))

    def corrected_reviews(self, legal_entities: Iterable[str] | None = None
                          ) -> list[tuple[str, ReviewRequested, list[FieldCorrection]]]:
        """Every approved task whose approval corrected fields: (task id, its request, the corrections of
        its approval), oldest decision first; of ``legal_entities`` only (None: all). Payment tasks (cash
        applications) are left out: their corrections choose items, not document values."""
        t, a = tables.tasks, tables.actions
        query = (select(t.c.task_id, t.c.payload, a.c.corrections)
                 .join(a, a.c.task_id == t.c.task_id)
                 .where(and_(t.c.status == STATUS_OF_DECISION["approve"], a.c.action == "approve"))
                 .order_by(a.c.at, a.c.id))
        entities = None if legal_entities is None else sorted(set(legal_entities))
        if entities is not None:
            query = query.where(t.c.legal_entity.in_(entities))
        found: dict[str, tuple[str, ReviewRequested, list[FieldCorrection]]] = {}
        with self.engine.connect() as connection:
            for task_id, payload, corrections in connection.execute(query):
                request = ReviewRequested.model_validate(payload)
                if not corrections or request.cash_application is not None:
                    continue
                found[task_id] = (task_id, request, [FieldCorrection.model_validate(c) for c in corrections])
        return list(found.values())

    # -- learned field positions -------------------------------------------------------------------

    def _learn_positions(self, connection: Connection, task: Task, review: ReviewCompleted,
                         now: datetime) -> list[str]:
        """Store the positions the review's clicked boxes teach; the vendor ids that learned any."""
        request = ReviewRequested.model_validate(connection.execute(select(tables.tasks.c.payload).where(
            tables.tasks.c.task_id == task.task_id)).scalar())
        vendor = request.document.vendor
        vendor_id = review.vendor_id or (vendor.party_id if vendor else None)
        if not vendor_id:
            return []  # positions belong to a known vendor; an unresolved one teaches nothing yet
        taught = positions_to_learn(review.corrections)
        for field, box in taught:
            known = self._position(connection, task.legal_entity, vendor_id, task.document_type, field, box.page)
            learned = learned_position(known, legal_entity=task.legal_entity, vendor_id=vendor_id,
                                       document_type=task.document_type, field=field, box=box, now=now)
            p = tables.field_positions
            values = dict(x0=learned.x0, y0=learned.y0, x1=learned.x1, y1=learned.y1, samples=learned.samples,
                          updated_at=now)
            if known is None:
                connection.execute(p.insert(), dict(legal_entity=learned.legal_entity, vendor_id=vendor_id,
                                                    document_type=learned.document_type, field=field,
                                                    page=learned.page, **values))
            else:
                connection.execute(p.update().where(and_(
                    p.c.legal_entity == learned.legal_entity, p.c.vendor_id == vendor_id,
                    p.c.document_type == learned.document_type, p.c.field == field,
                    p.c.page == learned.page)).values(**values))
        return [vendor_id] if taught else []

    def _positions_record(self, connection: Connection, legal_entity: str, vendor_id: str, document_type: str,
                          now: datetime) -> VendorFieldPositions:
        p = tables.field_positions
        keys = connection.execute(select(p.c.field, p.c.page).where(and_(
            p.c.legal_entity == legal_entity, p.c.vendor_id == vendor_id, p.c.document_type == document_type))).all()
        found = [self._position(connection, legal_entity, vendor_id, document_type, *key) for key in keys]
        return positions_record([f for f in found if f is not None], legal_entity=legal_entity, vendor_id=vendor_id,
                                document_type=document_type, now=now)

    def positions_records(self, now: datetime) -> list[VendorFieldPositions]:
        """One ``vendors.field-positions`` record per vendor and document type with learned positions (to
        publish the store's whole state again, e.g. onto a new cluster)."""
        p = tables.field_positions
        with self.engine.connect() as connection:
            keys = connection.execute(select(p.c.legal_entity, p.c.vendor_id, p.c.document_type).distinct()).all()
            return [self._positions_record(connection, *key, now) for key in sorted(keys)]

    def _position(self, connection: Connection, legal_entity: str, vendor_id: str, document_type: str,
                  field: str, page: int) -> FieldPosition | None:
        p = tables.field_positions
        row = connection.execute(select(p).where(and_(
            p.c.legal_entity == legal_entity, p.c.vendor_id == vendor_id, p.c.document_type == document_type,
            p.c.field == field, p.c.page == page))).mappings().first()
        if row is None:
            return None
        updated = _aware(row["updated_at"])
        assert updated is not None
        return FieldPosition(row["legal_entity"], row["vendor_id"], row["document_type"], row["field"], row["page"],
                             row["x0"], row["y0"], row["x1"], row["y1"], row["samples"], updated)

    def field_positions(self, legal_entity: str, vendor_id: str) -> list[FieldPosition]:
        """Every position learned for the vendor (all document types, fields and pages)."""
        p = tables.field_positions
        with self.engine.connect() as connection:
            keys = connection.execute(select(p.c.document_type, p.c.field, p.c.page).where(and_(
                p.c.legal_entity == legal_entity, p.c.vendor_id == vendor_id))).all()
            found = [self._position(connection, legal_entity, vendor_id, *key) for key in keys]
        return [position for position in found if position is not None]

    # -- users and the unmask log ------------------------------------------------------------------

    def add_user(self, user: User, password_hash: str, now: datetime) -> None:
        """Create or replace the login (replacing re-activates it with the new hash and role)."""
        u = tables.users
        values = dict(password_hash=password_hash, role=user.role, entities=sorted(user.entities),
                      approval_limit=user.approval_limit, display_name=user.display_name or user.login, active=1)
        with self.engine.begin() as connection:
            if connection.execute(select(u.c.login).where(u.c.login == user.login)).first():
                connection.execute(u.update().where(u.c.login == user.login).values(**values))
            else:
                connection.execute(u.insert(), dict(login=user.login, created_at=now, **values))

    def login_record(self, login: str) -> tuple[User, str] | None:
        """The active user and their password hash, or None for an unknown or deactivated login."""
        u = tables.users
        with self.engine.connect() as connection:
            row = connection.execute(select(u).where(and_(u.c.login == login, u.c.active == 1))).mappings().first()
        return None if row is None else (_user(row), row["password_hash"])

    def users(self) -> list[tuple[User, bool]]:
        """Every login with whether it is active, by login."""
        u = tables.users
        with self.engine.connect() as connection:
            rows = connection.execute(select(u).order_by(u.c.login)).mappings().all()
        return [(_user(row), bool(row["active"])) for row in rows]

    def set_active(self, login: str, active: bool) -> None:
        u = tables.users
        with self.engine.begin() as connection:
            connection.execute(u.update().where(u.c.login == login).values(active=int(active)))

    def log_unmasking(self, entry: Unmasking) -> None:
        with self.engine.begin() as connection:
            connection.execute(tables.unmask_log.insert(), dict(
                login=entry.login, document_id=entry.document_id, field=entry.field, at=entry.at))

    def unmaskings(self, document_id: str | None = None) -> list[Unmasking]:
        """Logged unmaskings (of one document, or all), oldest first."""
        log = tables.unmask_log
        query = select(log).order_by(log.c.id)
        if document_id is not None:
            query = query.where(log.c.document_id == document_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [Unmasking(login=row["login"], document_id=row["document_id"], field=row["field"],
                          at=_aware(row["at"]) or datetime.now(UTC)) for row in rows]

    # -- what capture found (from the audit trail in the same database) ----------------------------

    def extracted_fields(self, document_id: str) -> list[dict[str, Any]]:
        """The newest extraction's fields of the document (name, value, confidence, bbox), from the
        audit trail; empty when the trail holds none. Values are the trail's (bank details masked)."""
        for entry in reversed(self.audit.timeline(document_id)):
            if entry.event_type == "DocumentExtracted":
                return [dict(field) for field in entry.payload.get("fields", [])]
        return []
