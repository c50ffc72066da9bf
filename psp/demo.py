"""Demo programs and people, as SPEC.md's demo data contract describes.

``seed_demo`` calls ``seed(context)`` here and then in each domain app's ``demo`` module
that has one, in order; each part adds its own records and is safe to run twice.
``bulk_insert`` is how the parts write their large tables.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.contrib.auth.hashers import make_password
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from psp import services
from psp.models import (
    ContractPeriod,
    ContractPhase,
    Program,
    ProgramType,
    Role,
    RoleLabel,
    School,
    SchoolDistrict,
    StatewideRole,
    User,
)

DEMO_PASSWORD = "psp-demo-2026"  # noqa: S105 - the published demo password
BATCH_SIZE = 5000  # records a statement when ``bulk_insert`` falls back on ``bulk_create``
COPY_ROWS = 50_000  # records a COPY on PostgreSQL

ROLE_SLUGS = {
    Role.PROGRAM_COORDINATOR: "coordinator",
    Role.PARENT_PARTNER_COORDINATOR: "pp-coordinator",
    Role.PARENT_PARTNER: "parent-partner",
    Role.CLINICAL_SUPPORT: "clinical",
    Role.SOCIAL_WORKER: "social-worker",
    Role.SCHOOL_STAFF: "school-staff",
}


class ProgramSpec(TypedDict, total=False):
    slug: str
    program_type: str
    # School-based programs: the districts it works with, each with its schools (the
    # school staff account works at the first school of the first district).
    districts: dict[str, list[str]]
    name: str
    county: str
    lead_agency: str
    partner_agency: str
    labels: dict[Role, str]  # the program's own names for roles
    people: dict[Role, tuple[str, str]]  # first and last name


PROGRAMS: list[ProgramSpec] = [
    {
        "slug": "door",
        "name": "Door County PSP",
        "county": "Door",
        "lead_agency": "Door County Department of Health and Human Services",
        "partner_agency": "United Way of Door County",
        "labels": {
            Role.PROGRAM_COORDINATOR: "Family Well-Being Coordinator",
            Role.PARENT_PARTNER: "Family Well-Being Specialist",
        },
        "people": {
            Role.PROGRAM_COORDINATOR: ("Vivian", "Grair"),
            Role.PARENT_PARTNER_COORDINATOR: ("Rebecca", "Nicholson"),
            Role.PARENT_PARTNER: ("Tamara", "Olson"),
            Role.CLINICAL_SUPPORT: ("Daniel", "Kerr"),
            Role.SOCIAL_WORKER: ("Megan", "Schultz"),
        },
    },
    {
        "slug": "rock",
        "name": "Rock County PSP",
        "county": "Rock",
        "lead_agency": "Rock County Human Services Department",
        "partner_agency": "",
        "labels": {},
        "people": {
            Role.PROGRAM_COORDINATOR: ("Andrea", "Jimenez"),
            Role.PARENT_PARTNER_COORDINATOR: ("Marcus", "Bell"),
            Role.PARENT_PARTNER: ("Latoya", "Harris"),
            Role.CLINICAL_SUPPORT: ("Susan", "Lindqvist"),
            Role.SOCIAL_WORKER: ("Kevin", "Vang"),
        },
    },
    {
        "slug": "jefferson",
        "name": "Jefferson County PSP",
        "county": "Jefferson",
        "lead_agency": "Jefferson County Human Services",
        "partner_agency": "",
        "labels": {},
        "people": {
            Role.PROGRAM_COORDINATOR: ("Heather", "Kowalski"),
            Role.PARENT_PARTNER_COORDINATOR: ("Rosa", "Delgado"),
            Role.PARENT_PARTNER: ("Amber", "Schmidt"),
            Role.CLINICAL_SUPPORT: ("Paul", "Brenner"),
            Role.SOCIAL_WORKER: ("Mai", "Xiong"),
        },
    },
    {
        # A school-based Parent Peer Support provider: its Parent Peer Specialists are
        # trained by the statewide family organisation.
        "slug": "wausau",
        "name": "Wausau Parent Peer Support",
        "county": "Marathon",
        "program_type": ProgramType.PARENT_PEER_SUPPORT,
        "lead_agency": "Wausau School District",
        "partner_agency": "Wisconsin Family Ties",
        "labels": {
            Role.PROGRAM_COORDINATOR: "Parent Peer Support Coordinator",
            Role.PARENT_PARTNER: "Parent Peer Specialist",
        },
        "people": {
            Role.PROGRAM_COORDINATOR: ("Nicole", "Thao"),
            Role.PARENT_PARTNER_COORDINATOR: ("Gloria", "Mendez"),
            Role.PARENT_PARTNER: ("Pa", "Yang"),
            Role.SCHOOL_STAFF: ("Erin", "Lindgren"),
        },
        "districts": {
            "Wausau School District": [
                "Riverview Elementary School",
                "Lincoln Elementary School",
                "Northside Middle School",
                "Eastside High School",
            ],
            "Mosinee School District": ["Mosinee Elementary School", "Mosinee High School"],
        },
    },
]


@dataclass
class DemoContext:
    """What the parts of the demo share: the random source, the scale and what exists."""

    rng: random.Random
    scale: int = 1
    today: datetime.date = field(default_factory=timezone.localdate)
    programs: dict[str, Program] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    password_hash: str = ""  # of DEMO_PASSWORD, made once: hashing is slow on purpose


def contract_periods(program: Program) -> None:
    """Planning 2020, initial 2021, continued 2022, then yearly renewals (SPEC seeds)."""
    phases: list[tuple[int, ContractPhase, int | None]] = [
        (2020, ContractPhase.PLANNING, None),
        (2021, ContractPhase.INITIAL, None),
    ]
    phases.append((2022, ContractPhase.CONTINUED, None))
    phases += [(2022 + n, ContractPhase.RENEWAL, n) for n in range(1, 5)]
    for year, phase, renewal in phases:
        ContractPeriod.objects.get_or_create(
            program=program,
            starts_on=datetime.date(year, 1, 1),
            defaults={
                "phase": phase,
                "renewal_number": renewal,
                "ends_on": datetime.date(year, 12, 31),
            },
        )


def _user(
    context: DemoContext,
    username: str,
    first: str,
    last: str,
    statewide_role: str = StatewideRole.NONE,
) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        context.users[username] = existing
        return existing
    user = services.user_create(
        actor=None,
        username=username,
        email=f"{username}@example.org",
        password=None,
        first_name=first,
        last_name=last,
        statewide_role=statewide_role,
    )
    # Every demo user has the same published password: one hash serves them all.
    if not context.password_hash:
        context.password_hash = make_password(DEMO_PASSWORD)
    user.password = context.password_hash
    user.is_superuser = statewide_role == StatewideRole.ADMINISTRATOR
    user.save(update_fields=["password", "is_superuser"])
    context.users[username] = user
    return user


def seed(context: DemoContext) -> None:
    for spec in PROGRAMS:
        program = Program.objects.filter(slug=spec["slug"]).first()
        if program is None:
            program = services.program_create(
                actor=None,
                slug=spec["slug"],
                name=spec["name"],
                county=spec["county"],
                lead_agency=spec["lead_agency"],
                partner_agency=spec["partner_agency"],
                contact_email=f"psp-{spec['slug']}@example.org",
                program_type=spec.get("program_type", ProgramType.CHILD_WELFARE_PSP),
            )
            context.log.append(f"program {program.name}")
        context.programs[spec["slug"]] = program
        contract_periods(program)
        for role, label in spec["labels"].items():
            RoleLabel.objects.get_or_create(program=program, role=role, defaults={"label": label})
        schools = _schools(program, spec.get("districts", {}))
        for role, (first, last) in spec["people"].items():
            user = _user(context, f"{spec['slug']}-{ROLE_SLUGS[role]}", first, last)
            services.membership_grant(
                actor=None,
                user=user,
                program=program,
                role=role,
                school=schools[0] if role == Role.SCHOOL_STAFF else None,
            )
    _user(context, "dcf-state", "Jordan", "Reyes", StatewideRole.STATE_STAFF)
    _user(context, "admin", "Site", "Administrator", StatewideRole.ADMINISTRATOR)


def _schools(program: Program, districts: dict[str, list[str]]) -> list[School]:
    schools = []
    for district_name, names in districts.items():
        district, _created = SchoolDistrict.objects.get_or_create(
            program=program, name=district_name
        )
        for name in names:
            school, _created = School.objects.get_or_create(district=district, name=name)
            schools.append(school)
    return schools


# What demo Parent Partners and council members answer when asked their race or ethnicity
# (the values of ``referrals.models.RaceEthnicity``; "" nobody asked): a mix like Wisconsin's
# adults, with some who prefer not to say.
VOLUNTARY_RACES = [
    ("white", 62),
    ("black", 10),
    ("hispanic", 9),
    ("american_indian", 4),
    ("asian", 4),
    ("multiracial", 4),
    ("not_reported", 4),
    ("", 3),
]


def voluntary_race(name: str) -> str:
    """A demo person's answer, drawn from their name: the demo's other draws stay as they
    were, and a person keeps the same answer each time the demo is made."""
    rng = random.Random(name)  # noqa: S311 - demo data, not a secret
    return rng.choices([race for race, _w in VOLUNTARY_RACES], [w for _r, w in VOLUNTARY_RACES])[0]


# --- Writing many records ------------------------------------------------------------------


def bulk_insert(objects: Sequence[models.Model]) -> None:
    """Save new records of one model at once, and give them their primary keys.

    Unlike ``bulk_create``, a ``created_at`` given is kept (demo records are dated when they
    happened, not when the demo was made); one left empty is now. On PostgreSQL the rows go
    in with COPY, which at ``--scale 1000`` (millions of rows) is several times faster than
    INSERTs; elsewhere ``bulk_create`` writes them.
    """
    if not objects:
        return
    model = type(objects[0])
    dated = _dated_fields(model)
    now = timezone.now()
    for date_field in dated:
        for obj in objects:
            if getattr(obj, date_field.attname) is None:
                setattr(obj, date_field.attname, now)
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        with _given_dates(dated):
            model._default_manager.using(alias).bulk_create(objects, batch_size=BATCH_SIZE)
        return
    _take_keys(connection, model, [obj.__dict__ for obj in objects if obj.pk is None])
    for relation in model._meta.concrete_fields:
        if not relation.is_relation:
            continue
        for obj in objects:  # a parent record given unsaved has its key now
            if getattr(obj, relation.attname) is None and relation.is_cached(obj):  # type: ignore[attr-defined]
                related = relation.get_cached_value(obj)  # type: ignore[attr-defined]
                if related is not None:
                    setattr(obj, relation.attname, related.pk)
    _copy(connection, model, [obj.__dict__ for obj in objects])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = alias


def bulk_insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """``bulk_insert`` for records given as ``{attname: value}`` (``case_id``, not ``case``):
    making a million model instances takes longer than writing them. Fields left out get
    their default; the rows get their ``id``."""
    if not rows:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    meta = model._meta
    if connection.vendor != "postgresql":
        objects = [model(**row) for row in rows]
        bulk_insert(objects)
        for row, obj in zip(rows, objects, strict=True):
            row[meta.pk.attname] = obj.pk
        return
    now = timezone.now()
    for model_field in meta.concrete_fields:
        name = model_field.attname
        if getattr(model_field, "auto_now_add", False):
            for row in rows:
                if row.get(name) is None:
                    row[name] = now
        elif model_field is not meta.pk:  # the default, as the model's __init__ gives it
            made_each_time = model_field.has_default() and callable(model_field.default)
            default = None if made_each_time else model_field.get_default()
            for row in rows:
                if name not in row:
                    row[name] = model_field.get_default() if made_each_time else default
    pk_name = meta.pk.attname
    _take_keys(connection, model, [row for row in rows if row.get(pk_name) is None])
    _copy(connection, model, rows)


@contextlib.contextmanager
def indexes_built_after(*tables: type[models.Model]) -> Iterator[None]:
    """Fill empty tables without their secondary indexes and foreign keys, then build those
    once, as ``pg_restore`` does: keeping a dozen indexes and a check per foreign key up to
    date row by row took most of the time loading a million contacts. Only on PostgreSQL,
    only for tables empty to begin with (a new database), in one transaction; primary keys
    and unique constraints stay. The tables are analyzed after, as after a restore."""
    models_set_aside = [model for model in tables if not model._default_manager.exists()]
    connection = connections[router.db_for_write(tables[0])] if tables else None
    if connection is None or connection.vendor != "postgresql" or not models_set_aside:
        yield
        return
    quote = connection.ops.quote_name
    indexes: list[str] = []
    keys: list[str] = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # A foreign key dropped below also alters the table it points to, which PostgreSQL
        # refuses while that table has checks still waiting in this transaction (its own
        # rows just added, with their deferred foreign keys): those are checked now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in models_set_aside:
            table = quote(model._meta.db_table)
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
                keys.append(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
                " WHERE indrelid = %s::regclass AND NOT EXISTS"
                " (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid) ORDER BY 1",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {name}")
                indexes.append(definition)
        yield
        for statement in indexes + keys:  # indexes first: checking the keys may use them
            cursor.execute(statement)
        # What follows plans its queries on these tables' statistics, which still describe
        # them empty: a report's query took minutes on a million contacts before this.
        for model in models_set_aside:
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")


def _dated_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]


def _take_keys(
    connection: BaseDatabaseWrapper, model: type[models.Model], rows: list[dict[str, Any]]
) -> None:
    """Primary keys for ``rows`` from the table's own sequence, as INSERTs would take them."""
    if not rows:
        return
    meta = model._meta
    pk_name = meta.pk.attname
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(meta.db_table), meta.pk.column, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row[pk_name] = pk


@contextlib.contextmanager
def _given_dates(fields: list[models.Field[Any, Any]]) -> Iterator[None]:
    """``auto_now_add`` off for the time of one ``bulk_create``, so the dates set are kept."""
    for date_field in fields:
        date_field.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for date_field in fields:
            date_field.auto_now_add = True  # type: ignore[attr-defined]


def _copy_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format: backslash, tab and line ends escaped."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _copy_format(model_field: models.Field[Any, Any]) -> Callable[[Any], str]:
    kind = model_field.get_internal_type()
    if kind in {"ForeignKey", "OneToOneField"}:
        target = model_field.target_field  # type: ignore[attr-defined]
        return _copy_format(target)
    if kind in {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }:
        return lambda value: str(int(value))
    if kind == "BooleanField":
        return lambda value: "t" if value else "f"
    if kind in {"DateField", "DateTimeField", "TimeField"}:
        return lambda value: value.isoformat()
    if kind in {"DecimalField", "UUIDField"}:
        return str
    if kind == "JSONField":
        encoder = model_field.encoder  # type: ignore[attr-defined]
        return lambda value: _copy_text(json.dumps(value, cls=encoder))
    if kind in {
        "CharField",
        "TextField",
        "EmailField",
        "SlugField",
        "URLField",
        "GenericIPAddressField",
    }:
        return _copy_text
    raise TypeError(f"bulk_insert cannot write a {kind} ({model_field})")


def _copy(
    connection: BaseDatabaseWrapper, model: type[models.Model], rows: Sequence[dict[str, Any]]
) -> None:
    """Write ``rows`` (every concrete field's ``attname`` to its value) with COPY."""
    meta = model._meta
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    formats = [(f.attname, _copy_format(f)) for f in fields]
    statement = "COPY {} ({}) FROM STDIN".format(
        quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), COPY_ROWS):
            lines = [
                "\t".join(
                    [
                        "\\N" if (value := values[name]) is None else write(value)
                        for name, write in formats
                    ]
                )
                for values in rows[start : start + COPY_ROWS]
            ]
            lines.append("")
            cursor.copy_expert(statement, io.StringIO("\n".join(lines)))
