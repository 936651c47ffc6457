"""Column types that keep the database honest about time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend.

    SQLite has no time zone type and hands back naive values; PostgreSQL's timestamptz hands
    back the session zone. Both come back as aware UTC here, and a naive value going in is a
    programming error, refused instead of guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # Stored without an offset so that text comparison in SQL orders correctly.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # Raw SQLite text arrives as str, e.g. from func.max() over a datetime column.
        parsed: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)


def time_as_json(dialect: Dialect) -> Callable[[datetime | None], str | None]:
    """How a UTC timestamp travels inside a JSON parameter on this backend: ISO 8601 with
    offset for PostgreSQL's timestamptz cast; on SQLite the exact text the column stores
    (UTCDateTime's own bind processing), so comparisons in SQL keep ordering correctly.
    Memoised per call: a batch has few distinct instants."""
    process: Callable[[datetime], str | None]
    if dialect.name == "postgresql":
        process = lambda at: at.astimezone(UTC).isoformat()  # noqa: E731
    else:
        bind = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
        assert bind is not None
        process = bind
    return memoised(process)


def memoised(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert` with its results remembered by input for the life of the returned function
    (None stays None): a sweep batch repeats due times and service lists."""
    seen: dict[Any, Any] = {}

    def converted(value: Any) -> Any:
        if value is None:
            return None
        try:
            return seen[value]
        except KeyError:
            result = seen[value] = convert(value)
            return result

    return converted
