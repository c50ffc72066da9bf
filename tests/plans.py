"""What a page's main query reads, from PostgreSQL's own plans, for the tests that a list
page's work does not grow with the table.

Timing-free and independent of the table statistics of the moment: ``rows_read`` runs the
query under ``EXPLAIN ANALYZE`` and adds up the rows each scan of a table actually returned
(rows per loop times loops), and ``seq_scans`` asks for the plan with sequential scans
priced out, so a table still read whole has no index the query can use. On SQLite the
tests that use them are skipped (``ON_POSTGRES``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

ON_POSTGRES = connection.vendor == "postgresql"


def page_query(captured: CaptureQueriesContext, table: str, *, limit: int) -> str:
    """The page's main query among those ``captured``: the one reading ``table`` a page
    (``LIMIT limit``) at a time."""
    found = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT")
        and f'FROM "{table}"' in query["sql"]
        and f"LIMIT {limit}" in query["sql"]
    ]
    assert len(found) == 1, found
    return found[0]


def _plan(sql: str, *options: str, settings: str = "") -> dict[str, Any]:
    with transaction.atomic(), connection.cursor() as cursor:
        if settings:
            cursor.execute(settings)
        cursor.execute(f"EXPLAIN ({', '.join(['FORMAT JSON', *options])}) {sql}")
        (found,) = cursor.fetchone()
    plan = found if isinstance(found, list) else json.loads(found)
    return plan[0]["Plan"]


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


# A test's tables hold a few rows, with whatever statistics earlier tests left (ANALYZE's
# row counts outlive a rolled-back transaction): the planner may rightly read a few rows
# whole and sort them. Priced out, it takes the plan it would take on a large table, where
# reading every row is what the tests are there to catch.
AT_VOLUME = (
    "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;"
    " SET LOCAL enable_sort = off; SET LOCAL enable_incremental_sort = off"
)


def rows_read(sql: str, table: str, *, with_left_out: bool = False) -> int:
    """The rows of ``table`` that running ``sql`` read, through any scan, planned as on a
    large table (``AT_VOLUME``): those the scans kept, and with ``with_left_out`` also those
    they read and left out (a condition the index does not hold: "rows removed by filter"),
    which a page found by reading past many rows that do not belong to it is made of."""
    return sum(
        round(
            (node["Actual Rows"] + (node.get("Rows Removed by Filter", 0) if with_left_out else 0))
            * node["Actual Loops"]
        )
        for node in _nodes(_plan(sql, "ANALYZE", settings=AT_VOLUME))
        if node.get("Relation Name") == table
    )


def seq_scans(sql: str) -> set[str]:
    """The tables ``sql`` reads whole even when an index would do."""
    plan = _plan(sql, settings="SET LOCAL enable_seqscan = off")
    return {node["Relation Name"] for node in _nodes(plan) if node["Node Type"] == "Seq Scan"}


def sort_keys(sql: str) -> list[str]:
    """The keys ``sql``'s plan still sorts rows by when sorting, sequential scans and bitmap
    scans are priced out: empty when an index can give the rows in the order asked for, so a
    page of a list is the first rows of an index rather than every row sorted. (On a test's
    few rows the planner would rightly sort them; the question is whether it could not.)"""
    plan = _plan(sql, settings=AT_VOLUME)
    return [
        key
        for node in _nodes(plan)
        if node["Node Type"] in {"Sort", "Incremental Sort"}
        for key in node.get("Sort Key", [])
    ]
