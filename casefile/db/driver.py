"""Statements sent straight to the DB-API connection.

Where SQLAlchemy's per-statement bookkeeping costs more than the statement itself (a
single add's rows, BEGIN, the index step of every action), the statement goes to the
driver; its errors are raised as SQLAlchemy's, as everything above expects (a constraint
as ``IntegrityError``, a full disk as ``OperationalError``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlcipher3
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


def run(conn: Connection, sql: str, rows: Sequence[Sequence[Any]] | None = None) -> None:
    """``sql`` once, or once per row of ``rows``, on the connection's transaction."""
    driver = conn.connection.dbapi_connection
    assert driver is not None
    try:
        if rows is None:
            driver.execute(sql)
        else:
            driver.executemany(sql, rows)
    except sqlcipher3.dbapi2.Error as exc:
        raise DBAPIError.instance(sql, None, exc, sqlcipher3.dbapi2.Error) from exc


def adapted(value: Any) -> Any:
    """``value`` as the driver writes it (a timestamp as its ISO text): what the bulk path
    stores once for a value every row shares, instead of the driver adapting it per row."""
    adapt = sqlcipher3.dbapi2.adapters.get((type(value), sqlcipher3.dbapi2.PrepareProtocol))
    return value if adapt is None else adapt(value)
