"""A case keeps its briefing packs' handling block, and a record of each pack written.

``case_info`` gains the handling block the last pack carried (originator, reference,
distribution, handling instructions, review date, contact), so that the next pack
offers it again: empty in a case from before, which had none. ``pack_version`` records
each pack written from the case, once its file is in place: its number in the case's
sequence, the version it printed, when it was built, the case's last change it includes,
the SHA-256 of what it was built from and its file's name. A case from before has
written none that it knows of; its next pack is version 1.

Revision ID: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

TEXT_COLUMNS = ("originator", "reference", "distribution", "instructions", "contact")


def upgrade() -> None:
    for name in TEXT_COLUMNS:
        op.add_column(
            "case_info",
            sa.Column(f"pack_{name}", sa.Text(), server_default="", nullable=False),
        )
    op.add_column("case_info", sa.Column("pack_review", sa.String(length=16), nullable=True))
    op.create_table(
        "pack_version",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_pack_version")),
    )


def downgrade() -> None:
    """The handling block is the analyst's own, and the versions the record of what was
    given out: an older Casefile has nowhere to keep either, so a case that holds them
    stays."""
    conn = op.get_bind()
    written = conn.exec_driver_sql("SELECT count(*) FROM pack_version").scalar_one()
    if written:
        raise RuntimeError(f"the case records {written} briefing packs written")
    kept = " OR ".join(f"pack_{name} != ''" for name in TEXT_COLUMNS)
    if conn.exec_driver_sql(
        f"SELECT count(*) FROM case_info WHERE {kept} OR pack_review IS NOT NULL"
    ).scalar_one():
        raise RuntimeError("the case keeps a handling block for its briefing packs")
    op.drop_table("pack_version")
    for name in (*TEXT_COLUMNS, "review"):
        op.drop_column("case_info", f"pack_{name}")  # SQLite drops a column in place since 3.35
