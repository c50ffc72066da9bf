"""Checking a tagged PDF the way a PDF/UA-1 validator and a screen reader would read it.

veraPDF, the reference PDF/UA checker, is a Java application not packaged for this platform's
package registries, so this checks the machine-checkable rules the app's PDFs can break, with
pikepdf: the catalog (``/MarkInfo``, ``/Lang``, the title shown as the window title, the
PDF/UA identification), the structure tree, table headers' ``/Scope``, figures' alternative
text, and that every piece of page content is either in the structure tree or an artifact
(running heads and page numbers must be artifacts, not orphaned content).

``problems(pdf_bytes, language="es")`` lists what is wrong, in words; an empty list passes.
The other functions read parts of the tree for tests that check the content itself.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary

TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}
SCOPES = {"/Row", "/Column", "/Both"}


@dataclass
class Content:
    """A run of marked content on a page: its tag, and whether it shows any text."""

    page: int
    tag: str
    mcid: int | None
    artifact_type: str
    shows_text: bool


def open_pdf(pdf_bytes: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(pdf_bytes))


def _kids(node: Dictionary) -> list[object]:
    found = node.get("/K")
    if found is None:
        return []
    return list(found) if isinstance(found, Array) else [found]


def structure(pdf: pikepdf.Pdf) -> list[Dictionary]:
    """Every structure element reachable from the root, in reading order."""

    def walk(node: Dictionary) -> Iterator[Dictionary]:
        for kid in _kids(node):
            if isinstance(kid, Dictionary) and "/S" in kid:
                yield kid
                yield from walk(kid)

    root: Any = pdf.Root.get("/StructTreeRoot")
    return list(walk(root)) if root is not None else []


def attribute(element: Dictionary, key: str) -> object | None:
    """``key`` from the element's attribute object(s) (``/A`` may be one or an array)."""
    found = element.get("/A")
    if found is None:
        return None
    for entry in found if isinstance(found, Array) else [found]:
        if isinstance(entry, Dictionary) and key in entry:
            return entry[key]
    return None


def header_scopes(pdf: pikepdf.Pdf) -> list[tuple[str, str | None]]:
    """(where, scope) of every table header: where is "head" for a header in a THead, "body"
    for one in a row that also has data cells."""
    found = []
    for element in structure(pdf):
        if element.S != "/TH":
            continue
        row: Any = element.get("/P")
        section = row.get("/P") if row is not None else None
        in_head = section is not None and section.get("/S") == "/THead"
        row_kinds = {
            str(kid.S) for kid in _kids(row) if isinstance(kid, Dictionary) and "/S" in kid
        }
        where = "head" if in_head else ("body" if "/TD" in row_kinds else "other")
        scope = attribute(element, "/Scope")
        found.append((where, str(scope) if scope is not None else None))
    return found


def figure_alternatives(pdf: pikepdf.Pdf) -> list[str]:
    return [str(element.get("/Alt", "")) for element in structure(pdf) if element.S == "/Figure"]


def marked_content(pdf: pikepdf.Pdf) -> list[Content]:
    """Each page's outermost marked-content runs, in drawing order, and text drawn outside any."""
    runs: list[Content] = []
    for number, page in enumerate(pdf.pages, start=1):
        stack: list[Content] = []
        for instruction in pikepdf.parse_content_stream(page):
            operands, name = instruction.operands, str(instruction.operator)
            if name in ("BDC", "BMC"):
                properties = operands[1] if len(operands) > 1 else None
                mcid = None
                artifact_type = ""
                if isinstance(properties, Dictionary):
                    if "/MCID" in properties:
                        mcid = int(properties.MCID)
                    artifact_type = str(properties.get("/Type", ""))
                run = Content(number, str(operands[0]), mcid, artifact_type, False)
                if not stack:
                    runs.append(run)
                stack.append(run)
            elif name == "EMC" and stack:
                stack.pop()
            elif name in TEXT_OPERATORS:
                if stack:
                    stack[0].shows_text = True
                else:
                    runs.append(Content(number, "", None, "", True))
    return runs


def _owners(pdf: pikepdf.Pdf) -> dict[int, Any]:
    """Each page's (by index) array of structure elements, indexed by MCID."""
    tree = pdf.Root.StructTreeRoot.get("/ParentTree")
    if tree is None:
        return {}
    nums = list(tree.get("/Nums", []))
    by_key: dict[int, Any] = {
        int(key): value for key, value in zip(nums[::2], nums[1::2], strict=True)
    }
    owners = {}
    for index, page in enumerate(pdf.pages, start=1):
        key = page.obj.get("/StructParents")
        if key is not None and isinstance(by_key.get(int(key)), Array):
            owners[index] = by_key[int(key)]
    return owners


def _xmp(pdf: pikepdf.Pdf) -> str:
    metadata = pdf.Root.get("/Metadata")
    return metadata.read_bytes().decode("utf-8", "replace") if metadata is not None else ""


def problems(pdf_bytes: bytes, *, language: str) -> list[str]:
    """What a PDF/UA-1 check would fail in the PDF, in words."""
    found: list[str] = []
    with open_pdf(pdf_bytes) as pdf:
        root = pdf.Root
        mark_info = root.get("/MarkInfo")
        if mark_info is None or not bool(mark_info.get("/Marked", False)):
            found.append("the catalog's /MarkInfo does not say /Marked true")
        if str(root.get("/Lang", "")) != language:
            found.append(f"/Lang is {str(root.get('/Lang', ''))!r}, not {language!r}")
        title = str(pdf.docinfo.get("/Title", "")).strip()
        if not title:
            found.append("the document has no /Title")
        preferences = root.get("/ViewerPreferences")
        if preferences is None or not bool(preferences.get("/DisplayDocTitle", False)):
            found.append("/ViewerPreferences does not say /DisplayDocTitle true")
        if not re.search(r"pdfuaid:part(=\"|>)1", _xmp(pdf)):
            found.append("the XMP metadata does not identify the file as PDF/UA-1")
        if root.get("/StructTreeRoot") is None:
            return [*found, "there is no /StructTreeRoot: the PDF is not tagged"]
        elements = structure(pdf)
        if not any(element.S == "/Document" for element in elements):
            found.append("the structure tree has no /Document element")
        for where, scope in header_scopes(pdf):
            if scope not in SCOPES:
                found.append(f"a table header ({where}) has no /Scope")
        for alternative in figure_alternatives(pdf):
            if not alternative.strip():
                found.append("a /Figure has no /Alt text")
        tagged = {element.objgen for element in elements}
        owners = _owners(pdf)
        for run in marked_content(pdf):
            if run.tag == "/Artifact" or not run.shows_text:
                continue
            if run.mcid is None:
                found.append(f"page {run.page}: text that is neither tagged nor an artifact")
                continue
            page_owners = owners.get(run.page)
            owner = (
                page_owners[run.mcid]
                if page_owners is not None and run.mcid < len(page_owners)
                else None
            )
            if not isinstance(owner, Dictionary) or owner.objgen not in tagged:
                found.append(
                    f"page {run.page}: marked content {run.mcid} belongs to no element of "
                    "the structure tree (running heads and page numbers must be artifacts)"
                )
    return found


def pagination_artifacts(pdf_bytes: bytes) -> dict[int, int]:
    """Page number -> how many runs of text on it are pagination artifacts (running heads,
    page numbers)."""
    counts: dict[int, int] = {}
    with open_pdf(pdf_bytes) as pdf:
        for run in marked_content(pdf):
            if run.tag == "/Artifact" and run.artifact_type == "/Pagination" and run.shows_text:
                counts[run.page] = counts.get(run.page, 0) + 1
    return counts
