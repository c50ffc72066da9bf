"""``manage.py db_roles``: the two PostgreSQL roles production runs with, as SQL.

- The **owner** role owns the tables and runs the migrations, nothing else.
- The **app** role is what the web app and the Celery worker connect as: it owns nothing,
  is no superuser, reads and writes the app's tables, and may only INSERT into and SELECT
  from the audit table. It cannot UPDATE, DELETE or TRUNCATE an entry, disable the table's
  triggers, drop it, or set ``session_replication_role`` (a superuser's setting).

Prints the SQL (for ``psql`` as a superuser), or runs it with ``--apply`` on the database of
``DATABASE_URL``, which must then be a superuser's connection. Safe to run again: existing
roles are kept, existing tables change owner, grants are made again. Passwords are set from
``PSP_DB_OWNER_PASSWORD`` and ``PSP_DB_APP_PASSWORD`` when those are in the environment.
"""

from __future__ import annotations

import os
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Every relation of the schema changes owner (a table takes its own sequences with it).
TRANSFER_OWNERSHIP = """
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.relname, c.relkind FROM pg_class AS c
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema()
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND c.relowner <> '{owner}'::regrole
          AND NOT EXISTS (
              SELECT 1 FROM pg_depend AS d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                AND d.deptype IN ('a', 'i')
          )
    LOOP
        EXECUTE format(
            'ALTER %s %I OWNER TO {owner}',
            CASE item.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                 WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                 ELSE 'TABLE' END,
            item.relname);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS signature FROM pg_proc AS p
        JOIN pg_namespace AS n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proowner <> '{owner}'::regrole
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO {owner}', item.signature);
    END LOOP;
END
$$;
"""

# The same statement as migration psp 0004, for tables that already exist.
AUDIT_INSERT_AND_SELECT_ONLY = """
DO $$
DECLARE
    grantee_name text;
BEGIN
    IF to_regclass('psp_auditentry') IS NULL THEN
        RETURN;  -- not migrated yet: migration psp 0004 does this when it creates the table
    END IF;
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
$$;
"""


def _create_role(name: str) -> str:
    # ``name`` matched ROLE_NAME (role_sql checks it): a plain identifier.
    return (
        "DO $$ BEGIN\n"  # noqa: S608
        f"    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN\n"
        f"        CREATE ROLE {name} LOGIN;\n"
        "    END IF;\n"
        "END $$;\n"
        f"ALTER ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
        "NOBYPASSRLS INHERIT;"
    )


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def role_sql(
    *,
    owner: str,
    app: str,
    database: str,
    owner_password: str | None = None,
    app_password: str | None = None,
) -> str:
    """The SQL that creates (or repairs) the owner and app roles on ``database``."""
    for name in (owner, app):
        if not ROLE_NAME.match(name):
            raise CommandError(f"{name!r} is not a plain lower-case role name.")
    if owner == app:
        raise CommandError("The owner and the app must be two different roles.")
    quoted_database = '"' + database.replace('"', '""') + '"'
    parts = [
        "-- The owner runs the migrations and owns every table; the app owns nothing.",
        _create_role(owner),
        _create_role(app),
    ]
    if owner_password:
        parts.append(f"ALTER ROLE {owner} PASSWORD {_quote_literal(owner_password)};")
    if app_password:
        parts.append(f"ALTER ROLE {app} PASSWORD {_quote_literal(app_password)};")
    parts += [
        f"GRANT CONNECT, TEMPORARY ON DATABASE {quoted_database} TO {owner}, {app};",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {owner};",
        f"GRANT USAGE ON SCHEMA public TO {app};",
        f"REVOKE CREATE ON SCHEMA public FROM {app};",
        "-- Tables from earlier installs (made by a superuser) move to the owner.",
        TRANSFER_OWNERSHIP.format(owner=owner).strip(),
        "-- The app reads and writes the tables, now and after every later migration.",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        f" GRANT USAGE, SELECT ON SEQUENCES TO {app};",
        "-- ...except the audit log: INSERT and SELECT only.",
        AUDIT_INSERT_AND_SELECT_ONLY.strip(),
    ]
    return "\n".join(parts) + "\n"


class Command(BaseCommand):
    help = (
        "Print (or with --apply, run as a superuser) the SQL that creates the database "
        "owner role (migrations) and the app role (web and worker; the audit log is "
        "INSERT and SELECT only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default="psp_owner", help="Owner role (migrations).")
        parser.add_argument("--app", default="psp_app", help="App role (web and worker).")
        parser.add_argument(
            "--database",
            default=None,
            help="Database name (default: the one DATABASE_URL points at).",
        )
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Run the SQL on DATABASE_URL's database (a superuser's connection).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql" and (options["apply"] or not options["database"]):
            raise CommandError("Database roles are for PostgreSQL; DATABASE_URL is not one.")
        sql = role_sql(
            owner=options["owner"],
            app=options["app"],
            database=options["database"] or connection.settings_dict["NAME"],
            owner_password=os.environ.get("PSP_DB_OWNER_PASSWORD") or None,
            app_password=os.environ.get("PSP_DB_APP_PASSWORD") or None,
        )
        if not options["apply"]:
            self.stdout.write(sql)
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
            if not row or not row[0]:
                raise CommandError("--apply needs a superuser's DATABASE_URL.")
            cursor.execute(sql)
        self.stdout.write(
            self.style.SUCCESS(
                f"Roles {options['owner']} (owner, migrations) and {options['app']} "
                "(web and worker) are ready."
            )
        )
