"""Each case's latest contact day, stored on the case and kept by the database.

"No contact in 14 days" was worked out by looking up the newest contact of every open case of
a program (thousands at ten years of statewide data) on each dashboard visit. The day is now a
column of the case, ``last_contact_on``, with an index on (program, status, last contact), so
the overdue cases are a range of that index.

The database keeps it, not the app, so that no way of writing contacts can leave it wrong:
saving a contact, correcting its date or its case, the demo's bulk loading, a restore, a
script. Triggers on the contacts table set it after every INSERT, UPDATE and DELETE:

- on PostgreSQL, once per statement, from the rows the statement changed (transition
  tables), so loading a million contacts with COPY is one UPDATE of the cases, not a million;
- on SQLite, once per row (SQLite has no statement triggers).

The column is filled from the contacts already there.
"""

from django.db import migrations, models

# The latest contact of each case the changed rows belong to, before or after the change.
POSTGRES = [
    """
    CREATE FUNCTION mentoring_case_last_contact_added() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE mentoring_case AS c SET last_contact_on = added.latest
        FROM (SELECT case_id, MAX(occurred_on) AS latest FROM new_rows
              WHERE case_id IS NOT NULL GROUP BY case_id) AS added
        WHERE c.id = added.case_id
          AND (c.last_contact_on IS NULL OR c.last_contact_on < added.latest);
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE FUNCTION mentoring_case_last_contact_recount() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE mentoring_case AS c SET last_contact_on = (
            SELECT MAX(a.occurred_on) FROM mentoring_activity AS a WHERE a.case_id = c.id
        )
        WHERE c.id IN (
            SELECT old_rows.case_id FROM old_rows
            LEFT JOIN new_rows ON new_rows.id = old_rows.id
            WHERE new_rows.id IS NULL
               OR new_rows.case_id IS DISTINCT FROM old_rows.case_id
               OR new_rows.occurred_on IS DISTINCT FROM old_rows.occurred_on
            UNION
            SELECT new_rows.case_id FROM new_rows
            JOIN old_rows ON old_rows.id = new_rows.id
            WHERE new_rows.case_id IS DISTINCT FROM old_rows.case_id
               OR new_rows.occurred_on IS DISTINCT FROM old_rows.occurred_on
        );
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE FUNCTION mentoring_case_last_contact_deleted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE mentoring_case AS c SET last_contact_on = (
            SELECT MAX(a.occurred_on) FROM mentoring_activity AS a WHERE a.case_id = c.id
        )
        WHERE c.id IN (SELECT case_id FROM old_rows);
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER mentoring_activity_last_contact_insert
    AFTER INSERT ON mentoring_activity REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mentoring_case_last_contact_added()
    """,
    """
    CREATE TRIGGER mentoring_activity_last_contact_update
    AFTER UPDATE ON mentoring_activity REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mentoring_case_last_contact_recount()
    """,
    """
    CREATE TRIGGER mentoring_activity_last_contact_delete
    AFTER DELETE ON mentoring_activity REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mentoring_case_last_contact_deleted()
    """,
]

POSTGRES_DROP = [
    "DROP TRIGGER mentoring_activity_last_contact_insert ON mentoring_activity",
    "DROP TRIGGER mentoring_activity_last_contact_update ON mentoring_activity",
    "DROP TRIGGER mentoring_activity_last_contact_delete ON mentoring_activity",
    "DROP FUNCTION mentoring_case_last_contact_added()",
    "DROP FUNCTION mentoring_case_last_contact_recount()",
    "DROP FUNCTION mentoring_case_last_contact_deleted()",
]

RECOUNT = """
    UPDATE mentoring_case SET last_contact_on = (
        SELECT MAX(occurred_on) FROM mentoring_activity WHERE case_id = mentoring_case.id
    ) WHERE id = {case}
"""

SQLITE = [
    """
    CREATE TRIGGER mentoring_activity_last_contact_insert
    AFTER INSERT ON mentoring_activity WHEN NEW.case_id IS NOT NULL
    BEGIN
        UPDATE mentoring_case SET last_contact_on = NEW.occurred_on
        WHERE id = NEW.case_id
          AND (last_contact_on IS NULL OR last_contact_on < NEW.occurred_on);
    END
    """,
    f"""
    CREATE TRIGGER mentoring_activity_last_contact_update
    AFTER UPDATE OF case_id, occurred_on ON mentoring_activity
    BEGIN
        {RECOUNT.format(case="OLD.case_id")};
        {RECOUNT.format(case="NEW.case_id")};
    END
    """,
    f"""
    CREATE TRIGGER mentoring_activity_last_contact_delete
    AFTER DELETE ON mentoring_activity
    BEGIN
        {RECOUNT.format(case="OLD.case_id")};
    END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER mentoring_activity_last_contact_insert",
    "DROP TRIGGER mentoring_activity_last_contact_update",
    "DROP TRIGGER mentoring_activity_last_contact_delete",
]

FILL = """
    UPDATE mentoring_case SET last_contact_on = (
        SELECT MAX(occurred_on) FROM mentoring_activity WHERE case_id = mentoring_case.id
    )
"""


def _statements(schema_editor, postgres, sqlite):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return postgres
    if vendor == "sqlite":
        return sqlite
    raise NotImplementedError(f"No last-contact triggers for the {vendor} database.")


def keep_last_contact(apps, schema_editor):
    for statement in _statements(schema_editor, POSTGRES, SQLITE):
        schema_editor.execute(statement, params=None)
    schema_editor.execute(FILL, params=None)


def stop_keeping_last_contact(apps, schema_editor):
    for statement in _statements(schema_editor, POSTGRES_DROP, SQLITE_DROP):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0006_current_assignments_by_partner"),
        ("psp", "0004_audit_table_insert_and_select_only"),
        ("referrals", "0007_race_ethnicity_blank_until_asked"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="last_contact_on",
            field=models.DateField(editable=False, null=True, verbose_name="last contact"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["program", "status", "last_contact_on"],
                name="mentoring_c_program_3467ca_idx",
            ),
        ),
        # Court hearings soon, on the dashboard: a program's open cases by their next hearing.
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["program", "status", "next_court_date"],
                name="mentoring_c_program_14d518_idx",
            ),
        ),
        migrations.RunPython(keep_last_contact, stop_keeping_last_contact),
    ]
