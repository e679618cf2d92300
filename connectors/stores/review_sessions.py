"""The review workspace's server-side sessions (table ``review_sessions``, the audit trail's database).

A session is found by ``id_hash`` (the caller's keyed hash of the cookie's random id: the database
never holds a usable cookie). A session is live until it is revoked (logout, a new login on it) or
idle for longer than the caller's ``idle`` limit; an unknown, revoked or idle id finds nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, or_, select

from connectors.stores import review_tables as tables


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SessionStore:
    """Sessions in the database of ``engine`` (the review store's)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, id_hash: str, data: dict[str, Any], now: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(tables.sessions.insert(), dict(
                id_hash=id_hash, login=_login_of(data), data=data, created_at=now, last_seen_at=now))

    def load(self, id_hash: str, now: datetime, idle: timedelta) -> tuple[dict[str, Any], datetime] | None:
        """The live session's data and when it was last seen, or None."""
        s = tables.sessions
        with self.engine.connect() as connection:
            row = connection.execute(select(s.c.data, s.c.last_seen_at).where(
                and_(s.c.id_hash == id_hash, s.c.revoked_at.is_(None)))).first()
        if row is None:
            return None
        last_seen = _aware(row.last_seen_at)
        if last_seen + idle <= now:
            return None
        return dict(row.data), last_seen

    def save(self, id_hash: str, data: dict[str, Any], now: datetime) -> None:
        """New data for a session (and it was seen now)."""
        s = tables.sessions
        with self.engine.begin() as connection:
            connection.execute(s.update().where(and_(s.c.id_hash == id_hash, s.c.revoked_at.is_(None)))
                               .values(data=data, login=_login_of(data), last_seen_at=now))

    def touch(self, id_hash: str, now: datetime) -> None:
        s = tables.sessions
        with self.engine.begin() as connection:
            connection.execute(s.update().where(and_(s.c.id_hash == id_hash, s.c.revoked_at.is_(None)))
                               .values(last_seen_at=now))

    def revoke(self, id_hash: str, now: datetime) -> None:
        """The session no longer opens anything (its data is dropped)."""
        s = tables.sessions
        with self.engine.begin() as connection:
            connection.execute(s.update().where(s.c.id_hash == id_hash).values(revoked_at=now, data={}))

    def purge(self, before: datetime) -> int:
        """Delete sessions last seen, or revoked, before ``before``; how many."""
        s = tables.sessions
        with self.engine.begin() as connection:
            result = connection.execute(delete(s).where(or_(s.c.last_seen_at < before, s.c.revoked_at < before)))
        return int(result.rowcount or 0)


def _login_of(data: dict[str, Any]) -> str | None:
    login = data.get("login")
    return login if isinstance(login, str) else None
