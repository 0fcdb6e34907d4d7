"""A source can be linked to the people and groups it mentions (relation "mentions").

The relation's CHECK constraint lists its values, so the link table is rebuilt with the
longer list (SQLite cannot alter a constraint in place). Existing links are kept as they
are: every stored value is still allowed.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

BEFORE = (
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
)
AFTER = (*BEFORE, "mentions")


def _relation(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="relation", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    with op.batch_alter_table("link", recreate="always") as batch:
        batch.alter_column(
            "relation", existing_type=_relation(BEFORE), type_=_relation(AFTER), nullable=False
        )


def downgrade() -> None:
    op.execute("DELETE FROM link WHERE relation = 'mentions'")
    with op.batch_alter_table("link", recreate="always") as batch:
        batch.alter_column(
            "relation", existing_type=_relation(AFTER), type_=_relation(BEFORE), nullable=False
        )
