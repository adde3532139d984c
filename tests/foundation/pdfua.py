"""A PDF/UA structure walker for the tests, independent of the library that writes the PDFs.

pikepdf reads the structure tree; pypdf decodes the text of each marked-content sequence. The
walker reports what a screen reader would trip on: structure elements or marked content hanging
outside the tree, running headers and footers read as content, figures without alternative text,
a table cut into several tables by page breaks, links described by an anchor id.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf
from pypdf import PdfReader


@dataclass
class Walk:
    tags: dict[str, int] = field(default_factory=dict)  # structure type → count, in the tree
    detached: list[str] = field(default_factory=list)  # "page 3 MCID 4 (/P)", "StructElem /Span"
    artifact_text: list[str] = field(default_factory=list)  # per page
    tagged_text: list[str] = field(default_factory=list)  # per page
    figures_without_alt: int = 0
    tables: list[dict] = field(default_factory=list)  # caption, captions, heads, rows
    links: list[tuple[str, str, str]] = field(default_factory=list)  # visible, /Contents, target


def _marked_text(content: bytes) -> list[tuple[dict[int, str], str, str]]:
    """Per page: text of each MCID, text inside /Artifact sequences, text outside both."""
    pages = []
    for page in PdfReader(io.BytesIO(content)).pages:
        stack: list[tuple[str, int | None]] = []
        by_mcid: dict[int, str] = {}
        artifact: list[str] = []
        unmarked: list[str] = []

        def before(operator, operands, _cm, _tm, stack=stack):
            if operator in (b"BDC", b"BMC"):
                properties = operands[1] if operator == b"BDC" else {}
                mcid = properties.get("/MCID") if hasattr(properties, "get") else None
                stack.append((str(operands[0]), mcid))
            elif operator == b"EMC" and stack:
                stack.pop()

        def text(
            value,
            _cm,
            _tm,
            _font,
            _size,
            stack=stack,
            by_mcid=by_mcid,
            artifact=artifact,
            unmarked=unmarked,
        ):
            if not value.strip():
                return
            if any(tag == "/Artifact" for tag, _ in stack):
                artifact.append(value)
            elif mcids := [m for _, m in stack if m is not None]:
                by_mcid[mcids[-1]] = by_mcid.get(mcids[-1], "") + value
            else:
                unmarked.append(value)

        page.extract_text(visitor_operand_before=before, visitor_text=text)
        pages.append((by_mcid, " ".join(artifact), " ".join(unmarked)))
    return pages


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def walk(content: bytes) -> Walk:
    result = Walk()
    marked = _marked_text(content)
    with pikepdf.open(io.BytesIO(content)) as pdf:
        page_numbers = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        root = pdf.Root.StructTreeRoot
        reachable: set[tuple[int, int]] = set()
        mcids_in_tree: set[tuple[int, int]] = set()  # (page, MCID)

        def page_of(element, inherited):
            page = element.get("/Pg")
            return page_numbers.get(page.objgen, inherited) if page is not None else inherited

        def text_of(element, page) -> str:
            parts = []
            for kid in _kids(element):
                if isinstance(kid, int):
                    parts.append(marked[page][0].get(kid, ""))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    parts.append(marked[page_of(kid, page)][0].get(int(kid.MCID), ""))
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    parts.append(text_of(kid, page_of(kid, page)))
            return "".join(parts)

        def visit(element, page):
            if element.objgen in reachable:
                return
            reachable.add(element.objgen)
            page = page_of(element, page)
            kind = str(element.S)
            result.tags[kind] = result.tags.get(kind, 0) + 1
            if kind == "/Figure" and not str(element.get("/Alt", "")).strip():
                result.figures_without_alt += 1
            if kind == "/Table":
                result.tables.append(_table(element, lambda e: _squash(text_of(e, page))))
            for kid in _kids(element):
                if isinstance(kid, int):
                    mcids_in_tree.add((page, kid))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    mcids_in_tree.add((page_of(kid, page), int(kid.MCID)))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                    annotation = kid.Obj
                    if annotation.get("/Subtype") == "/Link":
                        visible = _squash(text_of(element, page))
                        target = annotation.get("/Dest") or annotation.get("/A", {}).get("/URI")
                        description = str(annotation.get("/Contents", ""))
                        result.links.append((visible, description, str(target)))
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    visit(kid, page)

        for kid in _kids(root):
            visit(kid, 0)

        # Everything the parent tree maps must be in the tree, and so must every MCID on a page.
        nums = list(root.ParentTree.get("/Nums", []))
        for key, value in zip(nums[::2], nums[1::2], strict=True):
            targets = value if isinstance(value, pikepdf.Array) else [value]
            for target in targets:
                if isinstance(target, pikepdf.Dictionary) and target.objgen not in reachable:
                    result.detached.append(f"StructElem {target.get('/S')} (parent tree {key})")
        for number, (by_mcid, artifact, unmarked) in enumerate(marked):
            for mcid in sorted(set(by_mcid) - {m for p, m in mcids_in_tree if p == number}):
                result.detached.append(f"page {number + 1} MCID {mcid}: {by_mcid[mcid]!r}")
            if unmarked:
                result.detached.append(f"page {number + 1} unmarked text: {unmarked!r}")
            result.artifact_text.append(_squash(artifact))
            result.tagged_text.append(_squash(" ".join(by_mcid.values())))
    return result


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _table(table, text) -> dict:
    def count(element, kind: str) -> int:
        return sum(
            (str(kid.get("/S")) == kind) + count(kid, kind)
            for kid in _kids(element)
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid
        )

    captions = [
        kid
        for kid in _kids(table)
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == "/Caption"
    ]
    return {
        "caption": text(captions[0]) if captions else "",
        "captions": len(captions),
        "heads": count(table, "/THead"),
        "rows": count(table, "/TR"),
    }


def assert_pdfua(content: bytes) -> Walk:
    """The four rules every document keeps; returns the walk for document-specific checks."""
    result = walk(content)
    assert not result.detached, result.detached
    for number, (artifact, tagged) in enumerate(
        zip(result.artifact_text, result.tagged_text, strict=True), start=1
    ):
        if "page " in artifact or number > 1:  # the diagnostic's cover has no running footer
            assert f"page {number} / " in artifact, (number, artifact)
        assert f"page {number} / " not in tagged, (number, tagged)
    assert result.figures_without_alt == 0
    for table in result.tables:
        # A page break must not cut a table in two: a continuation has a header, no caption.
        assert table["captions"] <= 1 and table["heads"] <= 1, result.tables
        assert table["captions"] == 1 or table["heads"] == 0, result.tables
    for visible, description, target in result.links:
        # Described by what it says (a contents line adds its leader dots and page number).
        assert description and description != target, result.links
        if re.search(r"[^\W\d_]", visible):
            assert visible.startswith(description), result.links
    return result
