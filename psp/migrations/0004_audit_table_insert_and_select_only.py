"""Only the audit table's owner may do more to it than INSERT and SELECT.

The app runs as a role that owns nothing (``manage.py db_roles``), and the owner's default
privileges give that role UPDATE and DELETE on every table the migrations create. On the
audit table those are taken back here, from every role but the owner (PUBLIC included),
together with TRUNCATE, TRIGGER and REFERENCES. Running it again is harmless, so the reverse
does nothing.
"""

from django.db import migrations

REVOKE_FROM_ALL_BUT_OWNER = """
DO $$
DECLARE
    grantee_name text;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT CASE WHEN acl.grantee = 0 THEN 'PUBLIC'
                             ELSE quote_ident(pg_get_userbyid(acl.grantee)) END
        FROM pg_class AS c, aclexplode(c.relacl) AS acl
        WHERE c.oid = 'psp_auditentry'::regclass
          AND acl.grantee <> c.relowner
          AND acl.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES')
    LOOP
        EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON psp_auditentry FROM '
            || grantee_name;
    END LOOP;
END
$$
"""


def revoke_changes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVOKE_FROM_ALL_BUT_OWNER, params=None)


class Migration(migrations.Migration):
    dependencies = [("psp", "0003_renewal_number_bounds")]

    operations = [migrations.RunPython(revoke_changes, migrations.RunPython.noop)]
