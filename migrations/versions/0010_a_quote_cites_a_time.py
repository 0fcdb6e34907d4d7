"""A quote can cite the time into a recording it is said at (``quote.at``).

A video's subtitles are read as a line per cue, led by its time; a quote taken from one
cites that time as a page cites a page: in whole seconds (``QuoteFields.at`` says why).
The column is added empty: no quote stored before had a time.

Revision ID: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("quote", sa.Column("at", sa.Integer(), nullable=True))


def downgrade() -> None:
    """The times are the analyst's own, and an older Casefile has nowhere to keep them: a
    case whose quotes cite one stays."""
    conn = op.get_bind()
    timed = conn.exec_driver_sql("SELECT count(*) FROM quote WHERE at IS NOT NULL").scalar_one()
    if timed:
        raise RuntimeError(f"{timed} quotes cite a time into a recording")
    op.drop_column("quote", "at")  # SQLite drops a column in place since 3.35
