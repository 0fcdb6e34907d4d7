"""An index on attacks' end dates, for date ranges.

An attack from 20 December 2015 to 5 January 2016 is within 2016 (``dates.DateRange``):
a range with a start finds such attacks through their end date, which had no index, so
every attack was read. Now a range is always ranges of indexes.

Revision ID: 0006
"""

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_attack_end_date_id", "attack", ["end_date", "id"])


def downgrade() -> None:
    op.drop_index("ix_attack_end_date_id", table_name="attack")
