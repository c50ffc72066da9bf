"""The family's race or ethnicity as the reports count it, stored on the family and kept by
the database with ``race_not_recorded``.

The quarterly report's families by race or ethnicity and the equity view's funnel looked up
each family's first parent with a correlated subquery: 33,714 look-ups for one year of the
funnel at ten years of statewide data. The first parent's answer is now a column of the
family, ``race_ethnicity`` (blank: not asked yet, or no parent), set by the same triggers on
the parents table that keep ``race_not_recorded`` (migration 0010), which now set both.
"""

import importlib

from django.db import migrations, models

KEPT_BEFORE = importlib.import_module("referrals.migrations.0010_quality_panel_families_and_stays")

FIRST_PARENT = """
    COALESCE((
        SELECT p.race_ethnicity FROM referrals_parent AS p
        WHERE p.family_id = referrals_family.id ORDER BY p.id LIMIT 1
    ), '')
"""

# SQLite, per row: one family's answer looked up.
RECOUNT_FAMILIES = f"""
    UPDATE referrals_family
    SET race_ethnicity = {FIRST_PARENT}, race_not_recorded = ({FIRST_PARENT} = '')
    WHERE id IN ({{families}})
      AND (race_ethnicity IS DISTINCT FROM {FIRST_PARENT}
           OR race_not_recorded IS DISTINCT FROM ({FIRST_PARENT} = ''))
"""

# PostgreSQL, per statement: the first parent of every family the statement touched, in one
# pass over the parents, as in migration 0010.
RECOUNT_FAMILIES_AT_ONCE = """
    UPDATE referrals_family AS f
    SET race_ethnicity = COALESCE(first_parent.race, ''),
        race_not_recorded = (COALESCE(first_parent.race, '') = '')
    FROM (SELECT DISTINCT family_id FROM ({families}) AS touched) AS changed
    LEFT JOIN (
        SELECT DISTINCT ON (p.family_id) p.family_id, p.race_ethnicity AS race
        FROM referrals_parent AS p
        WHERE p.family_id IN ({families})
        ORDER BY p.family_id, p.id
    ) AS first_parent ON first_parent.family_id = changed.family_id
    WHERE f.id = changed.family_id
      AND (f.race_ethnicity IS DISTINCT FROM COALESCE(first_parent.race, '')
           OR f.race_not_recorded IS DISTINCT FROM (COALESCE(first_parent.race, '') = ''))
"""


def _function(name: str, families: str, recount: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        {recount.format(families=families)};
        RETURN NULL;
    END;
    $$
    """


def _postgres(recount: str) -> list[str]:
    return [
        _function("referrals_family_race_added", "SELECT family_id FROM new_rows", recount),
        _function("referrals_family_race_changed", KEPT_BEFORE.CHANGED, recount),
        _function("referrals_family_race_deleted", "SELECT family_id FROM old_rows", recount),
    ]


def _sqlite_triggers(recount: str) -> list[str]:
    return [
        f"""
        CREATE TRIGGER referrals_parent_race_insert
        AFTER INSERT ON referrals_parent
        BEGIN
            {recount.format(families="NEW.family_id")};
        END
        """,
        f"""
        CREATE TRIGGER referrals_parent_race_update
        AFTER UPDATE OF family_id, race_ethnicity ON referrals_parent
        BEGIN
            {recount.format(families="OLD.family_id")};
            {recount.format(families="NEW.family_id")};
        END
        """,
        f"""
        CREATE TRIGGER referrals_parent_race_delete
        AFTER DELETE ON referrals_parent
        BEGIN
            {recount.format(families="OLD.family_id")};
        END
        """,
    ]


FILL = f"UPDATE referrals_family SET race_ethnicity = {FIRST_PARENT}"


def _run(schema_editor, *, postgres: list[str], sqlite: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"No race-recorded triggers for the {vendor} database.")
    for statement in postgres if vendor == "postgresql" else sqlite:
        schema_editor.execute(statement, params=None)


# SQLite adds a column by copying the table and renaming the copy, which it refuses while
# triggers name the table: its triggers are dropped first and made again after.
def drop_sqlite_triggers(apps, schema_editor):
    _run(schema_editor, postgres=[], sqlite=KEPT_BEFORE.SQLITE_DROP)


def keep_race_not_recorded_only(apps, schema_editor):
    _run(
        schema_editor,
        postgres=_postgres(KEPT_BEFORE.RECOUNT_FAMILIES_AT_ONCE),
        sqlite=KEPT_BEFORE.SQLITE,
    )


def keep_race_ethnicity(apps, schema_editor):
    _run(
        schema_editor,
        postgres=[*_postgres(RECOUNT_FAMILIES_AT_ONCE), FILL],
        sqlite=[*_sqlite_triggers(RECOUNT_FAMILIES), FILL],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0013_school_based"),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, keep_race_not_recorded_only),
        migrations.AddField(
            model_name="family",
            name="race_ethnicity",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=20,
                verbose_name="race or ethnicity (the first parent's)",
            ),
        ),
        migrations.RunPython(keep_race_ethnicity, drop_sqlite_triggers),
    ]
