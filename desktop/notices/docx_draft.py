"""A notice as an editable Word draft (.docx, python-docx) for offices that route wording through
their OA system.

The draft has the notice's text and GB/T 9704 page set-up (A4; margins 37 mm top, 28 mm left,
26 mm right, 35 mm bottom; 仿宋_GB2312 3号 body with a fixed 28.95 pt line pitch, 22 lines; title in
方正小标宋简体 2号; red 发文机关标志), but it is clearly not the official notice: every page's header
says 可编辑草稿, the 发文字号 is left for the OA system to fill (城市监〔2026〕  号), and it never carries
a verification code or QR code (those exist only on notices this program issued and printed).
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from desktop.notices.notice import write_atomically

DRAFT_MARK = "可编辑草稿（非正式公文，定稿后由发文系统编号、用印）"
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
RED = (0xDC, 0x00, 0x00)


def _run(paragraph: Any, text: str, font: str, size: float, bold: bool = False,
         colour: tuple[int, int, int] | None = None) -> Any:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour:
        run.font.color.rgb = RGBColor(*colour)
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def write_docx(content: Mapping[str, Any], out_path: Path | str) -> Path:
    """Write ``content`` (a notice's content, issued or not) as an editable .docx draft."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    t = content["text"]
    doc = Document()
    props = doc.core_properties
    props.title = f"{t['title']}（{DRAFT_MARK}）"
    props.author = content["office"].get("name") or ""
    props.comments = DRAFT_MARK
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.left_margin, sec.right_margin, sec.bottom_margin = Mm(37), Mm(28), Mm(26), Mm(35)
    header = sec.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(header, DRAFT_MARK, BODY_FONT, 10.5, bold=True, colour=RED)

    def para(text: str = "", font: str = BODY_FONT, size: float = 16, align: Any = None, indent: bool = False,
             colour: tuple[int, int, int] | None = None, bold: bool = False, right_chars: int = 0) -> Any:
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28.95 if size <= 16 else size * 1.5)
        fmt.space_before = fmt.space_after = Pt(0)
        if indent:
            fmt.first_line_indent = Pt(2 * size)
        if right_chars:
            fmt.right_indent = Pt(right_chars * size)
        if align is not None:
            p.alignment = align
        if text:
            _run(p, text, font, size, bold, colour)
        return p

    office = content["office"]
    para()
    para(office.get("name") or "", TITLE_FONT, 26, WD_ALIGN_PARAGRAPH.CENTER, colour=RED)
    para()
    year = content.get("serial_year") or str(content.get("issued_on", ""))[:4]
    para(f"{office.get('doc_prefix') or ''}〔{year}〕  号", align=WD_ALIGN_PARAGRAPH.CENTER)
    para()
    para(t["title"], TITLE_FONT, 22, WD_ALIGN_PARAGRAPH.CENTER)
    para()
    para(t["recipient"])
    for p in t["paragraphs"]:
        para(p, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    para()
    para()
    para(t["signature"], align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    para(t["date"], align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    record = t.get("record") or {}
    if record:
        para()
        if record.get("cc"):
            para(f"抄送：{record['cc']}", size=14)
        para(f"{record.get('printer') or ''}    {record.get('printed_on') or ''}印发", size=14)
    return write_atomically(Path(out_path), doc.save)
