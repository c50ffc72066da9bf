"""What WeasyPrint's tagged PDF (PDF/UA-1) leaves out, added after it has written the file.

WeasyPrint 70 links each table cell to its headers (``/Headers`` and ``/ID``, taken from the
HTML's ``scope``) but writes no ``/Scope`` on the headers themselves, which some screen
readers go by; and it marks the running head and page numbers (CSS margin boxes) as content
of structure elements it then leaves out of the tree, so they are neither tagged content nor
artifacts, as PDF/UA requires. ``finish`` adds each header's scope, as the HTML gave it, and
marks the margin boxes' text as pagination artifacts. The same input gives the same bytes,
so a filed report's checksum holds when it is made again.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name


def finish(pdf_bytes: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        root: Any = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return pdf_bytes
        tree = list(elements(root))
        _add_scopes(tree)
        _mark_orphans_as_artifacts(pdf, {element.objgen for element in tree})
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def kids(element: Dictionary) -> list[object]:
    found = element.get("/K")
    if found is None:
        return []
    return list(found) if isinstance(found, Array) else [found]


def elements(node: Dictionary) -> Iterator[Dictionary]:
    """Every structure element under ``node``, in reading order."""
    for kid in kids(node):
        if isinstance(kid, Dictionary) and "/S" in kid:
            yield kid
            yield from elements(kid)


def _add_scopes(tree: list[Dictionary]) -> None:
    """A header is a row header when WeasyPrint pointed a cell of its own row at it (it does
    so only for ``scope="row"``), otherwise a column header."""
    row_headers: set[str] = set()
    for cell in tree:
        if cell.S != "/TD" or "/A" not in cell or "/Headers" not in cell.A:
            continue
        row = cell.get("/P")
        for header in cell.A.Headers:
            row_headers.add(f"{header}@{row.objgen if row is not None else None}")
    for header in tree:
        if header.S != "/TH":
            continue
        if "/A" not in header:
            header.A = Dictionary(O=Name.Table)
        row = header.get("/P")
        key = f"{header.get('/ID', '')}@{row.objgen if row is not None else None}"
        header.A.Scope = Name.Row if key in row_headers else Name.Column


def _mark_orphans_as_artifacts(pdf: pikepdf.Pdf, tagged: set[tuple[int, int]]) -> None:
    """Marked content whose structure element is not in the tree becomes an artifact."""
    parent_tree = pdf.Root.StructTreeRoot.get("/ParentTree")
    if parent_tree is None:
        return
    nums = list(parent_tree.Nums)
    by_key = dict(zip(nums[::2], nums[1::2], strict=True))
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        owners = by_key.get(key) if key is not None else None
        if not isinstance(owners, Array):
            continue
        orphans = {
            mcid
            for mcid, owner in enumerate(owners)
            if isinstance(owner, Dictionary) and owner.objgen not in tagged
        }
        if not orphans:
            continue
        commands: list[Any] = []
        for instruction in pikepdf.parse_content_stream(page):
            operands = instruction.operands
            if (
                str(instruction.operator) == "BDC"
                and len(operands) == 2
                and isinstance(operands[1], Dictionary)
                and int(operands[1].get("/MCID", -1)) in orphans
            ):
                instruction = pikepdf.ContentStreamInstruction(
                    [Name.Artifact, Dictionary(Type=Name.Pagination)], instruction.operator
                )
            commands.append(instruction)
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(commands))
        for mcid in orphans:
            owners[mcid] = None
