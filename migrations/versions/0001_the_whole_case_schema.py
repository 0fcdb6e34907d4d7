"""The whole case schema, as Casefile 0.1 made it.

Written with plain SQLAlchemy types (not the app's column classes) so that this script
means the same thing whatever later versions of the models say.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_record_id"), ["record_id"], unique=False)

    op.create_table(
        "blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blob")),
    )
    op.create_table(
        "case_info",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_info")),
    )
    op.create_table(
        "record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "attack",
                "person",
                "group",
                "source",
                "document",
                "quote",
                "link",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record")),
    )
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_record_kind_created_at_id", ["kind", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_record_kind_updated_at_id", ["kind", "updated_at", "id"], unique=False
        )

    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("name", name=op.f("uq_tag_name")),
    )
    op.create_table(
        "vocabulary_term",
        sa.Column("vocabulary", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("vocabulary", "code", name=op.f("pk_vocabulary_term")),
    )
    op.create_table(
        "group",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(collation="NOCASE"), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column(
            "group_kind",
            sa.Enum(
                "militant_group",
                "government_agency",
                "police_force",
                "media_outlet",
                "research_organisation",
                "other",
                name="groupkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("country", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"], ["record.id"], name=op.f("fk_group_id_record"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group")),
    )
    with op.batch_alter_table("group", schema=None) as batch_op:
        batch_op.create_index("ix_group_name_id", ["name", "id"], unique=False)

    op.create_table(
        "link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column(
            "relation",
            sa.Enum(
                "carried_out",
                "claimed",
                "planned",
                "inspired_by",
                "member_of",
                "leader_of",
                "supporter_of",
                "affiliate_of",
                "called_for",
                "investigated",
                "targeted",
                "similar_to",
                "associated_with",
                name="relation",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("start", sa.String(length=16), nullable=True),
        sa.Column("end", sa.String(length=16), nullable=True),
        sa.Column(
            "confidence",
            sa.Enum(
                "confirmed",
                "probable",
                "possible",
                "doubtful",
                name="confidence",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["id"], ["record.id"], name=op.f("fk_link_id_record"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["object_id"], ["record.id"], name=op.f("fk_link_object_id_record"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["record.id"],
            name=op.f("fk_link_subject_id_record"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link")),
    )
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_object_id"), ["object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_link_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(collation="NOCASE"), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("nationality", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.String(length=16), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "unknown",
                "alive",
                "deceased",
                "detained",
                name="personstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["id"], ["record.id"], name=op.f("fk_person_id_record"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index("ix_person_name_id", ["name", "id"], unique=False)

    op.create_table(
        "record_tag",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["record.id"],
            name=op.f("fk_record_tag_record_id_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_record_tag_tag_id_tag"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("record_id", "tag_id", name=op.f("pk_record_tag")),
    )
    with op.batch_alter_table("record_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_tag_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.Text(collation="NOCASE"), nullable=False),
        sa.Column(
            "source_kind",
            sa.Enum(
                "article",
                "report",
                "official_statement",
                "social_media_post",
                "court_record",
                "video",
                "interview",
                "dataset",
                "other",
                name="sourcekind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=False),
        sa.Column("published", sa.String(length=16), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("accessed", sa.String(length=16), nullable=True),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column(
            "reliability",
            sa.Enum(
                "A",
                "B",
                "C",
                "D",
                "E",
                "F",
                name="reliability",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["id"], ["record.id"], name=op.f("fk_source_id_record"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index("ix_source_published_id", ["published", "id"], unique=False)
        batch_op.create_index("ix_source_title_id", ["title", "id"], unique=False)

    op.create_table(
        "attack",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.Text(collation="NOCASE"), nullable=False),
        sa.Column("date", sa.String(length=16), nullable=True),
        sa.Column("end_date", sa.String(length=16), nullable=True),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("city", sa.Text(), nullable=False),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("attack_types", sa.JSON(), nullable=False),
        sa.Column("weapon_types", sa.JSON(), nullable=False),
        sa.Column("target_types", sa.JSON(), nullable=False),
        sa.Column("killed", sa.Integer(), nullable=True),
        sa.Column("wounded", sa.Integer(), nullable=True),
        sa.Column("perpetrators_killed", sa.Integer(), nullable=True),
        sa.Column(
            "claimed",
            sa.Enum(
                "unknown",
                "yes",
                "no",
                name="claimed",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("claimed_by_id", sa.Uuid(), nullable=True),
        sa.Column("claim_date", sa.String(length=16), nullable=True),
        sa.Column("claim_method", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "confirmed",
                "suspected",
                "disputed",
                name="attackstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claimed_by_id"],
            ["group.id"],
            name=op.f("fk_attack_claimed_by_id_group"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["id"], ["record.id"], name=op.f("fk_attack_id_record"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attack")),
    )
    with op.batch_alter_table("attack", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attack_claimed_by_id"), ["claimed_by_id"], unique=False
        )
        batch_op.create_index("ix_attack_date_id", ["date", "id"], unique=False)
        batch_op.create_index("ix_attack_killed_id", ["killed", "id"], unique=False)
        batch_op.create_index("ix_attack_title_id", ["title", "id"], unique=False)

    op.create_table(
        "document",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("file_name", sa.Text(collation="NOCASE"), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"], ["record.id"], name=op.f("fk_document_id_record"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blob.sha256"], name=op.f("fk_document_sha256_blob"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_document_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_source_id"), ["source_id"], unique=False)

    op.create_table(
        "link_citation",
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("cited_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cited_id"],
            ["record.id"],
            name=op.f("fk_link_citation_cited_id_record"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"], ["link.id"], name=op.f("fk_link_citation_link_id_link"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("link_id", "cited_id", name=op.f("pk_link_citation")),
    )
    with op.batch_alter_table("link_citation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_citation_cited_id"), ["cited_id"], unique=False)

    op.create_table(
        "quote",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("speaker_id", sa.Uuid(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("paragraph", sa.Integer(), nullable=True),
        sa.Column("char_start", sa.Integer(), nullable=True),
        sa.Column("char_end", sa.Integer(), nullable=True),
        sa.Column("said", sa.String(length=16), nullable=True),
        sa.Column(
            "credibility",
            sa.Enum(
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                name="credibility",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("translation", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"], ["record.id"], name=op.f("fk_quote_id_record"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_quote_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["record.id"],
            name=op.f("fk_quote_speaker_id_record"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote")),
    )
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.create_index("ix_quote_said_id", ["said", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quote_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quote_speaker_id"), ["speaker_id"], unique=False)

    op.create_table(
        "document_page",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_page_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "number", name=op.f("pk_document_page")),
    )


def downgrade() -> None:
    """Casefile never downgrades a case (a newer case is refused); this is for tests."""
    op.drop_table("document_page")
    op.drop_table("quote")
    op.drop_table("link_citation")
    op.drop_table("document")
    op.drop_table("attack")
    op.drop_table("source")
    op.drop_table("record_tag")
    op.drop_table("person")
    op.drop_table("link")
    op.drop_table("group")
    op.drop_table("vocabulary_term")
    op.drop_table("tag")
    op.drop_table("record")
    op.drop_table("case_info")
    op.drop_table("blob")
    op.drop_table("audit_event")
