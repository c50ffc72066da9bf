"""Each program's casework version, kept by the database (``mentoring.models.CaseworkVersion``).

Triggers count a change of a program's casework after every INSERT, UPDATE and DELETE on the
tables a Parent Partner's home is made from, in the writing transaction itself, so that no way
of writing (a page, the API, the admin, a bulk update, the demo's loading, a script) can change
what the home shows without moving the number:

- cases, contacts and Parent Partners: their own program (before and after an update, so a
  case moved to another program counts for both);
- assignments and follow-ups: their case's program;
- referrals and families: their own program and that of their cases;
- parents and children: their family's program and that of the family's cases.

On PostgreSQL, once per statement, from the rows the statement changed (transition tables),
so loading a million contacts is one more row written, not a million. The number is taken
from a sequence: it never goes back, even when the table of versions is emptied (the test
runner's TRUNCATE). Concurrent writers in one program wait for each other's commit at the
program's row, so a higher number is always committed after a lower one: a reader who reads
the number before the casework never keeps a page made before a change under the number of
that change. On SQLite (development), once per row, counting up by one.
"""

from django.db import migrations, models

# The programs whose casework the rows of ``{rows}`` belong to, per table.
PROGRAMS_OF = {
    "mentoring_case": "SELECT program_id FROM {rows}",
    "mentoring_activity": "SELECT program_id FROM {rows}",
    "mentoring_parentpartner": "SELECT program_id FROM {rows}",
    "mentoring_assignment": (
        "SELECT program_id FROM mentoring_case WHERE id IN (SELECT case_id FROM {rows})"
    ),
    "mentoring_followup": (
        "SELECT program_id FROM mentoring_case WHERE id IN (SELECT case_id FROM {rows})"
    ),
    "referrals_referral": (
        "SELECT program_id FROM {rows} UNION "
        "SELECT program_id FROM mentoring_case WHERE referral_id IN (SELECT id FROM {rows})"
    ),
    "referrals_family": (
        "SELECT program_id FROM {rows} UNION "
        "SELECT program_id FROM mentoring_case WHERE family_id IN (SELECT id FROM {rows})"
    ),
    "referrals_parent": (
        "SELECT program_id FROM referrals_family WHERE id IN (SELECT family_id FROM {rows}) "
        "UNION SELECT program_id FROM mentoring_case "
        "WHERE family_id IN (SELECT family_id FROM {rows})"
    ),
    "referrals_child": (
        "SELECT program_id FROM referrals_family WHERE id IN (SELECT family_id FROM {rows}) "
        "UNION SELECT program_id FROM mentoring_case "
        "WHERE family_id IN (SELECT family_id FROM {rows})"
    ),
}

POSTGRES_BUMP = [
    "CREATE SEQUENCE mentoring_casework_number",
    """
    CREATE FUNCTION mentoring_casework_bump(programs bigint[]) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO mentoring_caseworkversion (program_id, number)
        SELECT program_id, nextval('mentoring_casework_number')
        FROM (SELECT DISTINCT program_id FROM unnest(programs) AS program_id
              WHERE program_id IS NOT NULL ORDER BY program_id) AS changed
        ON CONFLICT (program_id)
        DO UPDATE SET number = nextval('mentoring_casework_number')
    $$
    """,
]


def _postgres_function(table: str) -> str:
    programs = PROGRAMS_OF[table]
    new, old = programs.format(rows="new_rows"), programs.format(rows="old_rows")
    return f"""
    CREATE FUNCTION {table}_casework_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM mentoring_casework_bump(ARRAY({new}));
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM mentoring_casework_bump(ARRAY(({new}) UNION ({old})));
        ELSE
            PERFORM mentoring_casework_bump(ARRAY({old}));
        END IF;
        RETURN NULL;
    END;
    $$
    """


def _postgres(table: str) -> list[str]:
    return [
        _postgres_function(table),
        f"""
        CREATE TRIGGER {table}_casework_insert
        AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_casework_changed()
        """,
        f"""
        CREATE TRIGGER {table}_casework_update
        AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_casework_changed()
        """,
        f"""
        CREATE TRIGGER {table}_casework_delete
        AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_casework_changed()
        """,
    ]


def _postgres_drop(table: str) -> list[str]:
    return [
        *(f"DROP TRIGGER {table}_casework_{event} ON {table}" for event in EVENTS),
        f"DROP FUNCTION {table}_casework_changed()",
    ]


EVENTS = ("insert", "update", "delete")

# SQLite: the row's programs, as a single-row "table" the same queries can read.
SQLITE_BUMP = """
    INSERT OR IGNORE INTO mentoring_caseworkversion (program_id, number)
        SELECT program_id, 0 FROM ({programs}) WHERE program_id IS NOT NULL;
    UPDATE mentoring_caseworkversion SET number = number + 1
        WHERE program_id IN ({programs});
"""

ROW_COLUMNS = {
    "mentoring_case": ["id", "program_id", "family_id", "referral_id"],
    "mentoring_activity": ["id", "program_id", "case_id"],
    "mentoring_parentpartner": ["id", "program_id"],
    "mentoring_assignment": ["id", "case_id"],
    "mentoring_followup": ["id", "case_id"],
    "referrals_referral": ["id", "program_id", "family_id"],
    "referrals_family": ["id", "program_id"],
    "referrals_parent": ["id", "family_id"],
    "referrals_child": ["id", "family_id"],
}


def _sqlite_row(table: str, which: str) -> str:
    columns = ", ".join(f"{which}.{column} AS {column}" for column in ROW_COLUMNS[table])
    return f"(SELECT {columns})"


def _sqlite(table: str) -> list[str]:
    statements = []
    for event, rows in (("insert", ["NEW"]), ("update", ["NEW", "OLD"]), ("delete", ["OLD"])):
        body = "".join(
            SQLITE_BUMP.format(programs=PROGRAMS_OF[table].format(rows=_sqlite_row(table, row)))
            for row in rows
        )
        statements.append(
            f"CREATE TRIGGER {table}_casework_{event} AFTER {event.upper()} ON {table} "
            f"BEGIN {body} END"
        )
    return statements


def _sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER {table}_casework_{event}" for event in EVENTS]


def _statements(schema_editor, postgres, sqlite):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return postgres
    if vendor == "sqlite":
        return sqlite
    raise NotImplementedError(f"No casework triggers for the {vendor} database.")


def count_casework_changes(apps, schema_editor):
    postgres = POSTGRES_BUMP + [s for table in PROGRAMS_OF for s in _postgres(table)]
    sqlite = [s for table in PROGRAMS_OF for s in _sqlite(table)]
    for statement in _statements(schema_editor, postgres, sqlite):
        schema_editor.execute(statement, params=None)


def stop_counting_casework_changes(apps, schema_editor):
    postgres = [s for table in PROGRAMS_OF for s in _postgres_drop(table)] + [
        "DROP FUNCTION mentoring_casework_bump(bigint[])",
        "DROP SEQUENCE mentoring_casework_number",
    ]
    sqlite = [s for table in PROGRAMS_OF for s in _sqlite_drop(table)]
    for statement in _statements(schema_editor, postgres, sqlite):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0022_case_contact_due"),
        ("referrals", "0015_child_sex_and_removal_reasons"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseworkVersion",
            fields=[
                ("program_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("number", models.BigIntegerField(default=0, verbose_name="version number")),
            ],
            options={
                "verbose_name": "casework version",
                "verbose_name_plural": "casework versions",
            },
        ),
        migrations.RunPython(count_casework_changes, stop_counting_casework_changes),
    ]
