"""Corroboration kept as data, and near-duplicate documents.

``record`` gains ``support_count`` and ``support_grade``: how many independent sources
support an attack's or a person's least supported reported fact (a link: its citations),
and the best grade among them, kept by the services as data changes so that a table shows
them without counting as it paints. They are counted here for every record that has
reports or citations.

``fingerprint`` keeps the MinHash of each imported document's text and
``fingerprint_band`` its bands (locality-sensitive hashing), so that a document imported
later is compared with the few that share a band. ``near_duplicate`` holds the matches
found, with their similarity and the analyst's verdict. Documents imported before this
revision have no fingerprint: ``casefile duplicates CASE --scan`` takes them in.

The count below uses the services' own code (``services.support.recount_all``), which
reads and writes named columns through SQLAlchemy Core (the ones that exist at this
revision) and decodes reported values as ``domain.facts`` does today. A later revision
that renames one of those columns or changes how a value is encoded must freeze a copy of
that code here.

Revision ID: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("record", sa.Column("support_count", sa.Integer(), nullable=True))
    op.add_column(
        "record", sa.Column("support_grade", sa.String(4), server_default="", nullable=False)
    )
    op.create_table(
        "fingerprint",
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_fingerprint_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_fingerprint")),
    )
    op.create_table(
        "fingerprint_band",
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_fingerprint_band_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("band", "bucket", "source_id", name=op.f("pk_fingerprint_band")),
    )
    op.create_index(
        op.f("ix_fingerprint_band_source_id"), "fingerprint_band", ["source_id"], unique=False
    )
    op.create_table(
        "near_duplicate",
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("other_id", sa.Uuid(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "suggested",
                "confirmed",
                "rejected",
                name="duplicateverdict",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["source.id"],
            name=op.f("fk_near_duplicate_other_id_source"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_near_duplicate_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "other_id", name=op.f("pk_near_duplicate")),
    )
    op.create_index(
        op.f("ix_near_duplicate_other_id"), "near_duplicate", ["other_id"], unique=False
    )
    from casefile.services.support import recount_all

    with Session(bind=op.get_bind()) as s:
        recount_all(s)
        s.flush()


def downgrade() -> None:
    """Nothing here is the analyst's own but the near-duplicate verdicts, which an older
    Casefile cannot show: a case with confirmed or rejected matches stays."""
    conn = op.get_bind()
    judged = conn.exec_driver_sql(
        "SELECT count(*) FROM near_duplicate WHERE verdict != 'suggested'"
    ).scalar_one()
    if judged:
        raise RuntimeError(f"the case holds {judged} near-duplicate verdicts")
    op.drop_index(op.f("ix_near_duplicate_other_id"), table_name="near_duplicate")
    op.drop_table("near_duplicate")
    op.drop_index(op.f("ix_fingerprint_band_source_id"), table_name="fingerprint_band")
    op.drop_table("fingerprint_band")
    op.drop_table("fingerprint")
    op.drop_column("record", "support_grade")  # SQLite drops a column in place since 3.35
    op.drop_column("record", "support_count")
