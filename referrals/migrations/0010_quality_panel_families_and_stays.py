"""Whether a family's race and ethnicity is not recorded, stored on the family and kept by the
database.

The data-quality panel lists the families served in a quarter whose first parent has no race
or ethnicity recorded, or who have no parent at all. "No parent" was found by comparing every
family of the program with its parents (27,715 families and 132,451 parents at ten years of
statewide data) on each visit. The answer is now a column of the family,
``race_not_recorded``, with a partial index on (program) of the families where it is true, so
the panel reads an index entry per family it may list.

The database keeps it, not the app, so that no way of writing parents can leave it wrong:
adding one, answering or correcting the question, moving a parent to another family,
deleting one, the demo's bulk loading, a restore, a script. Triggers on the parents table set
it after every INSERT, UPDATE and DELETE:

- on PostgreSQL, once per statement, from the rows the statement changed (transition
  tables);
- on SQLite, once per row (SQLite has no statement triggers).

A family is inserted with it true (no parent yet). The column is filled from the parents
already there. The parents' partial index the panel started from before is no longer read.

Two indexes for the panel's children still in care after their family's case closed in the
quarter: a family's children by (family, id) and a child's stays still in care, so that going
from the quarter's closed cases to their children's open stays is a nested loop of index-only
probes (1,960 closed cases, 4,033 children at ten years of statewide data) instead of all
185,741 children hashed.
"""

from django.db import migrations, models

# The family's answer as the report counts it: its first parent's, "not recorded" if blank or
# if there is no parent.
NOT_RECORDED = """
    COALESCE((
        SELECT p.race_ethnicity = '' FROM referrals_parent AS p
        WHERE p.family_id = referrals_family.id ORDER BY p.id LIMIT 1
    ), TRUE)
"""

# SQLite, per row: one family's answer looked up.
RECOUNT_FAMILIES = f"""
    UPDATE referrals_family SET race_not_recorded = {NOT_RECORDED}
    WHERE id IN ({{families}}) AND race_not_recorded IS DISTINCT FROM {NOT_RECORDED}
"""

# PostgreSQL, per statement: the first parent of every family the statement touched, in one
# pass over the parents (by their family index, or once through the table when it is being
# loaded without its indexes, as the demo data is), rather than one look-up per family.
RECOUNT_FAMILIES_AT_ONCE = """
    UPDATE referrals_family AS f SET race_not_recorded = COALESCE(first_parent.blank, TRUE)
    FROM (SELECT DISTINCT family_id FROM ({families}) AS touched) AS changed
    LEFT JOIN (
        SELECT DISTINCT ON (p.family_id) p.family_id, p.race_ethnicity = '' AS blank
        FROM referrals_parent AS p
        WHERE p.family_id IN ({families})
        ORDER BY p.family_id, p.id
    ) AS first_parent ON first_parent.family_id = changed.family_id
    WHERE f.id = changed.family_id
      AND f.race_not_recorded IS DISTINCT FROM COALESCE(first_parent.blank, TRUE)
"""

CHANGED = """
    SELECT old_rows.family_id FROM old_rows JOIN new_rows ON new_rows.id = old_rows.id
    WHERE new_rows.family_id IS DISTINCT FROM old_rows.family_id
       OR new_rows.race_ethnicity IS DISTINCT FROM old_rows.race_ethnicity
    UNION
    SELECT new_rows.family_id FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
    WHERE new_rows.family_id IS DISTINCT FROM old_rows.family_id
       OR new_rows.race_ethnicity IS DISTINCT FROM old_rows.race_ethnicity
"""

POSTGRES = [
    f"""
    CREATE FUNCTION referrals_family_race_added() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        {RECOUNT_FAMILIES_AT_ONCE.format(families="SELECT family_id FROM new_rows")};
        RETURN NULL;
    END;
    $$
    """,
    f"""
    CREATE FUNCTION referrals_family_race_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        {RECOUNT_FAMILIES_AT_ONCE.format(families=CHANGED)};
        RETURN NULL;
    END;
    $$
    """,
    f"""
    CREATE FUNCTION referrals_family_race_deleted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        {RECOUNT_FAMILIES_AT_ONCE.format(families="SELECT family_id FROM old_rows")};
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER referrals_parent_race_insert
    AFTER INSERT ON referrals_parent REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referrals_family_race_added()
    """,
    """
    CREATE TRIGGER referrals_parent_race_update
    AFTER UPDATE ON referrals_parent REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referrals_family_race_changed()
    """,
    """
    CREATE TRIGGER referrals_parent_race_delete
    AFTER DELETE ON referrals_parent REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referrals_family_race_deleted()
    """,
]

POSTGRES_DROP = [
    "DROP TRIGGER referrals_parent_race_insert ON referrals_parent",
    "DROP TRIGGER referrals_parent_race_update ON referrals_parent",
    "DROP TRIGGER referrals_parent_race_delete ON referrals_parent",
    "DROP FUNCTION referrals_family_race_added()",
    "DROP FUNCTION referrals_family_race_changed()",
    "DROP FUNCTION referrals_family_race_deleted()",
]

SQLITE = [
    f"""
    CREATE TRIGGER referrals_parent_race_insert
    AFTER INSERT ON referrals_parent
    BEGIN
        {RECOUNT_FAMILIES.format(families="NEW.family_id")};
    END
    """,
    f"""
    CREATE TRIGGER referrals_parent_race_update
    AFTER UPDATE OF family_id, race_ethnicity ON referrals_parent
    BEGIN
        {RECOUNT_FAMILIES.format(families="OLD.family_id")};
        {RECOUNT_FAMILIES.format(families="NEW.family_id")};
    END
    """,
    f"""
    CREATE TRIGGER referrals_parent_race_delete
    AFTER DELETE ON referrals_parent
    BEGIN
        {RECOUNT_FAMILIES.format(families="OLD.family_id")};
    END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER referrals_parent_race_insert",
    "DROP TRIGGER referrals_parent_race_update",
    "DROP TRIGGER referrals_parent_race_delete",
]

FILL = f"UPDATE referrals_family SET race_not_recorded = {NOT_RECORDED}"


def _statements(schema_editor, postgres, sqlite):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return postgres
    if vendor == "sqlite":
        return sqlite
    raise NotImplementedError(f"No race-recorded triggers for the {vendor} database.")


def keep_race_not_recorded(apps, schema_editor):
    for statement in _statements(schema_editor, POSTGRES, SQLITE):
        schema_editor.execute(statement, params=None)
    schema_editor.execute(FILL, params=None)


def stop_keeping_race_not_recorded(apps, schema_editor):
    for statement in _statements(schema_editor, POSTGRES_DROP, SQLITE_DROP):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0009_quality_panel_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="family",
            name="race_not_recorded",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.RunPython(keep_race_not_recorded, stop_keeping_race_not_recorded),
        migrations.AddIndex(
            model_name="family",
            index=models.Index(
                condition=models.Q(("race_not_recorded", True)),
                fields=["program"],
                name="family_race_not_recorded",
            ),
        ),
        migrations.RemoveIndex(
            model_name="parent",
            name="parent_race_not_recorded",
        ),
        # The panel's children still in care after their family's case closed in the quarter:
        # each closed case's children, then their stays still open, from the indexes alone
        # (a nested loop of index-only probes, instead of every child hashed).
        migrations.AddIndex(
            model_name="child",
            index=models.Index(fields=["family", "id"], name="child_family_id"),
        ),
        migrations.AddIndex(
            model_name="removalepisode",
            index=models.Index(
                condition=models.Q(("discharged_on__isnull", True)),
                fields=["child", "removed_on"],
                name="episode_in_care",
            ),
        ),
    ]
