"""Create the audit table and make it append-only in the database itself.

Triggers refuse UPDATE and DELETE for every database user (and TRUNCATE on PostgreSQL),
so no role, no admin page and no stray script can rewrite history. The table is not managed
by Django's migrations autodetector (``AuditEntry.Meta.managed = False``), which also keeps
``manage.py flush`` from emptying it.

There is no way back: unapplying this migration would drop every entry, so it is
irreversible, and ``migrate psp 0001`` (or ``zero``) is refused before anything is touched
(``psp.signals.refuse_irreversible_plan``).
"""

from django.db import migrations

POSTGRES_GUARD = [
    """
    CREATE OR REPLACE FUNCTION psp_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'The audit log is append-only: % is not allowed', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    """
    CREATE TRIGGER psp_auditentry_no_change
    BEFORE UPDATE OR DELETE ON psp_auditentry
    FOR EACH ROW EXECUTE FUNCTION psp_audit_append_only()
    """,
    """
    CREATE TRIGGER psp_auditentry_no_truncate
    BEFORE TRUNCATE ON psp_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION psp_audit_append_only()
    """,
]

SQLITE_GUARD = [
    """
    CREATE TRIGGER psp_auditentry_no_update BEFORE UPDATE ON psp_auditentry
    BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE is not allowed'); END
    """,
    """
    CREATE TRIGGER psp_auditentry_no_delete BEFORE DELETE ON psp_auditentry
    BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: DELETE is not allowed'); END
    """,
]


def create_audit_table(apps, schema_editor):
    schema_editor.create_model(apps.get_model("psp", "AuditEntry"))
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = POSTGRES_GUARD
    elif vendor == "sqlite":
        statements = SQLITE_GUARD
    else:
        raise NotImplementedError(f"No append-only guard for the {vendor} database.")
    for statement in statements:
        schema_editor.execute(statement, params=None)  # "%" in the SQL is not a parameter


class Migration(migrations.Migration):
    dependencies = [("psp", "0001_initial")]

    # No reverse: the audit log is never dropped by a migration.
    operations = [migrations.RunPython(create_audit_table, reverse_code=None)]
