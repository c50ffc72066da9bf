"""Indexes that hold a list's rows in the list's own order, so that a page of it is the first
rows of an index instead of a sort of every matching row."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.expressions import OrderBy


class ListOrderIndex(models.Index):
    """An index over expressions in a list's order, where the order places empty values.

    PostgreSQL reads an index for ``ORDER BY time DESC NULLS LAST`` only if the index says
    ``NULLS LAST`` too. SQLite takes no NULLS in an index, and needs none for the orders used
    here: it holds empty values as the smallest, so ``DESC`` already puts them last (and
    ``ASC`` first); on SQLite the index is made without the modifier."""

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = models.Index(
            *(_without_nulls(part) for part in self.expressions),
            name=self.name,
            condition=self.condition,
        )
        return plain.create_sql(model, schema_editor, using=using, **kwargs)


def _without_nulls(part: Any) -> Any:
    if not isinstance(part, OrderBy):
        return part
    # Only the placements SQLite gives anyway may be asked for.
    assert not part.nulls_first or not part.descending
    assert not part.nulls_last or part.descending
    return OrderBy(part.expression, descending=part.descending)
