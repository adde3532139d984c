"""Repairs of the structure tree WeasyPrint writes, until WeasyPrint gets them right itself
(see docs/upstream/weasyprint-tagged-pdf.md).

- Running headers and footers (CSS page-margin boxes) are tagged as content whose structure
  elements hang outside the tree: their marked content becomes a pagination /Artifact and the
  orphan elements are dropped.
- A table broken by a page break comes out as one /Table per page: the continuations are merged
  into the first one, and the header rows repeated on each page become artifacts.
- Link annotations describe themselves by their target (an anchor id, a URL): they get the
  link's visible text, as screen readers announce it.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pikepdf

PAGINATION = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)
# A marked-content sequence with an MCID and nothing else, at an operator boundary.
_MARK = re.compile(rb"(?<![^\s])/[A-Za-z][A-Za-z0-9]*\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC(?![^\s])")


class _LinkTexts(HTMLParser):
    """The visible text of each link of the source HTML, by its href (the first link wins)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, str] = {}
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open.append((dict(attrs).get("href") or "", []))

    def handle_data(self, data: str) -> None:
        for _href, parts in self._open:
            parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            if href and text:
                self.texts.setdefault(href, text)


def _kids(element: pikepdf.Object) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(element: pikepdf.Object) -> list[pikepdf.Dictionary]:
    return [kid for kid in _kids(element) if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def _walk(element: pikepdf.Object):
    for kid in _elements(element):
        yield kid
        yield from _walk(kid)


class _Repair:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        self.pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        self.artifacts: dict[int, set[int]] = {}  # page number → MCIDs to turn into artifacts

    def page_of(self, element: pikepdf.Object, default: int = 0) -> int:
        page = element.get("/Pg")
        return self.pages.get(page.objgen, default) if page is not None else default

    def make_artifact(self, element: pikepdf.Object, page: int) -> None:
        """Its marked content becomes artifacts; the element leaves the tree with its parent."""
        page = self.page_of(element, page)
        for kid in _kids(element):
            if isinstance(kid, int):
                self.artifacts.setdefault(page, set()).add(kid)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                self.artifacts.setdefault(self.page_of(kid, page), set()).add(int(kid.MCID))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                self.make_artifact(kid, page)

    def merge_tables(self) -> None:
        previous = None
        for table in [e for e in _walk(self.root) if e.get("/S") == "/Table"]:
            parts = {str(part.S): part for part in _elements(table)}
            if (
                previous is not None
                and "/Caption" not in parts
                and self._continues(previous, table)
            ):
                self._append(previous, table, parts)
            else:
                previous = table

    def _continues(self, first: pikepdf.Dictionary, fragment: pikepdf.Dictionary) -> bool:
        """A caption-less table right after a table on an earlier page, with the same header."""

        def header(table):
            return [
                len(_elements(row))
                for part in _elements(table)
                if part.S == "/THead"
                for row in _elements(part)
            ]

        last_page = max((self.page_of(e) for e in [first, *_walk(first)]), default=0)
        return self.page_of(fragment) > last_page and header(first) == header(fragment) != []

    def _append(self, first: pikepdf.Dictionary, fragment: pikepdf.Dictionary, parts) -> None:
        first_parts = {str(part.S): part for part in _elements(first)}
        # The repeated header is drawn again, but read once: its cells point to the first one's.
        ids = {
            str(repeated.get("/ID")): original.get("/ID")
            for repeated, original in zip(
                _header_cells(parts["/THead"]), _header_cells(first_parts["/THead"]), strict=False
            )
            if "/ID" in repeated
        }
        self.make_artifact(parts["/THead"], self.page_of(fragment))
        for cell in _walk(fragment):
            headers = cell.get("/A", {}).get("/Headers") if "/A" in cell else None
            if headers is not None:
                cell.A.Headers = pikepdf.Array([ids.get(str(h), h) for h in headers])
        for kind in ("/TBody", "/TFoot"):
            if kind not in parts:
                continue
            if kind not in first_parts:
                parts[kind].P = first
                first.K.append(parts[kind])
                first_parts[kind] = parts[kind]
            elif kind == "/TFoot":  # a footer repeated on each page: the last one is read
                self.make_artifact(first_parts[kind], self.page_of(first))
                first.K = pikepdf.Array([k for k in _kids(first) if k != first_parts[kind]])
                parts[kind].P = first
                first.K.append(parts[kind])
                first_parts[kind] = parts[kind]
            else:
                for row in _elements(parts[kind]):
                    row.P = first_parts[kind]
                    first_parts[kind].K.append(row)
        parent = fragment.P
        parent.K = pikepdf.Array([k for k in _kids(parent) if k != fragment])

    def detach_orphans(self) -> None:
        """MCIDs the parent tree maps to elements outside the tree become artifacts."""
        reachable = {e.objgen for e in _walk(self.root)}
        nums = self.root.ParentTree.Nums
        for index in range(0, len(nums), 2):
            value = nums[index + 1]
            if not isinstance(value, pikepdf.Array):
                continue
            page = int(nums[index])
            for mcid, target in enumerate(value):
                if isinstance(target, pikepdf.Dictionary) and target.objgen not in reachable:
                    self.artifacts.setdefault(page, set()).add(mcid)
            for mcid in self.artifacts.get(page, ()):
                if mcid < len(value):
                    value[mcid] = pikepdf.Object.parse(b"null")

    def rewrite_pages(self) -> None:
        for number, page in enumerate(self.pdf.pages):
            mcids = self.artifacts.get(number)
            if not mcids:
                continue
            if not self._rewrite_marks(page, mcids):
                self._rewrite_instructions(page, mcids)

    def _rewrite_marks(self, page: pikepdf.Page, mcids: set[int]) -> bool:
        """The fast path: WeasyPrint writes each mark as `/Tag << /MCID n >> BDC` and its text
        as hexadecimal strings, so the marks are found in the bytes without parsing the whole
        stream (which took most of the repair's time). False, untouched, when the page's stream
        does not read that way: every mark to turn must be found exactly once."""
        contents = page.obj.get("/Contents")
        if not isinstance(contents, pikepdf.Stream):
            return False
        found: list[int] = []

        def replace(match: re.Match) -> bytes:
            mcid = int(match[1])
            if mcid not in mcids:
                return match[0]
            found.append(mcid)
            return b"/Artifact << /Type /Pagination >> BDC"

        data = _MARK.sub(replace, contents.read_bytes())
        if len(found) != len(mcids) or set(found) != mcids:
            return False
        page.Contents = self.pdf.make_stream(data)
        return True

    def _rewrite_instructions(self, page: pikepdf.Page, mcids: set[int]) -> None:
        instructions: list = []
        for instruction in pikepdf.parse_content_stream(page):
            operands, operator = instruction.operands, instruction.operator
            if operator == pikepdf.Operator("BDC") and len(operands) == 2:
                properties = operands[1]
                mcid = (
                    properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
                )
                if mcid is not None and int(mcid) in mcids:
                    instruction = pikepdf.ContentStreamInstruction(
                        [pikepdf.Name.Artifact, PAGINATION], operator
                    )
            instructions.append(instruction)
        page.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(instructions))

    def describe_links(self, texts: dict[str, str]) -> None:
        for page in self.pdf.pages:
            for annotation in page.get("/Annots", []):
                if annotation.get("/Subtype") != "/Link":
                    continue
                if "/Dest" in annotation:
                    href = "#" + str(annotation.Dest)
                elif "/A" in annotation and "/URI" in annotation.A:
                    href = str(annotation.A.URI)
                else:
                    continue
                if text := texts.get(href):
                    annotation.Contents = pikepdf.String(text)


def _header_cells(head: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    return [e for e in _walk(head) if e.get("/S") == "/TH"]


def repair_tags(content: bytes, html: str) -> bytes:
    """The PDF `content`, rendered from `html` with tags, with its structure tree repaired."""
    parser = _LinkTexts()
    parser.feed(html)
    with pikepdf.open(io.BytesIO(content)) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            return content
        repair = _Repair(pdf)
        repair.merge_tables()
        repair.detach_orphans()
        repair.rewrite_pages()
        repair.describe_links(parser.texts)
        output = io.BytesIO()
        pdf.save(output)
        return output.getvalue()
