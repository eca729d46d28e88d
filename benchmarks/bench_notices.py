"""Benchmark: 1,000 award notices into one PDF with the embedded TrueType font.

Bar (DESIGN.md): ≤ 3 s, and ≤ 1.5× bare reportlab drawing the same strings with the same font in
the same run. The measured path is ``desktop.notices.render_notices`` on stored-style notice content
(glyph checks, layout and line breaking, red rules, headings emboldened, QR codes, page numbers,
atomic file write). The line-breaking memo is emptied before every run, so each run lays every
notice out afresh; what a process builds once (font registration, the font's width table, the
QR code's linear tables, about 0.1 s) is warm, as the best of three runs implies.

The baseline is a careful bare reportlab program drawing the same page content: every string the
notices print, at the same positions, with ``canvas.drawString`` and the same registered font
(``setFont`` only when font or size changes), plus the same red rule under the 发文字号 and the 版记's rules (a line is
page content too); it draws no QR code, so that cost counts against StdAward's side only. Its
PDF is written the same way (same canvas settings, temporary file, fsync, rename). The one-time font
registration and the building of the notice content are outside both timings.

    python3 dev.py bench notices        (or: python benchmarks/bench.py notices)
"""
from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

from bench import Figure, best_of, script

N = 1000


def _notices() -> list[dict]:
    from desktop.core.award import AwardResult
    from desktop.core.vocabulary import Achievement
    from desktop.notices import content as C
    from desktop.notices import fonts
    from desktop.notices.verify import content_hash

    results, achs, names = [], {}, {}
    for i in range(N):
        e = f"9135030200{i:06d}X"[:18]
        names[e] = f"莆田市城厢区第{i + 1}号鑫源工艺品有限公司"
        for j, (level, action, rank, amount) in enumerate(
                (("national", "formulate", 1, "100000"), ("industry", "revise", 2, "21000"))):
            aid = f"a{i}-{j}"
            achs[aid] = Achievement(aid, e, "standard", dt.date(2026, 5, 1), ref=f"GB/T {40000 + i}-2026",
                                    title="运动鞋 缓震性能的测定", level=level, action=action, rank=rank)
            results.append(AwardResult(aid, "awarded", Decimal(amount), f"{action}-main", "五(二)2",
                                       f"{level} {action} 第{rank}位", (), e, "main", "standard"))
    office = {"uuid": "o", "name": "莆田市城厢区市场监督管理局", "region": "350302", "doc_prefix": "城市监"}
    policy = {"id": "putian-chengxiang-2021", "title": "莆田市城厢区人民政府关于深化标准化工作改革推动高质量发展的实施意见",
              "document_number": "莆城政〔2021〕88号", "content_hash": "0" * 64}
    chosen = fonts.choose({})
    drafts = C.build_drafts(results, achs, names, office, policy, dt.date(2026, 11, 22), 2026,
                            {r: f.as_dict() for r, f in chosen.items()})
    out = []
    for k, d in enumerate(drafts, start=1):
        content = C.finalise(d, str(uuid.UUID(int=k)), "城市监", k)
        out.append({"content": content, "content_hash": content_hash(content)})
    return out


def run() -> list[Figure]:
    from desktop.notices import fonts, layout, render_notices
    from desktop.notices import notice as notice_mod
    from desktop.notices.notice import layout_notice, new_canvas, notice_fonts, write_atomically

    notices = _notices()
    chosen = notice_fonts(notices[0]["content"])
    body = fonts.register(chosen["body"])
    # the same page content, drawn by bare reportlab: every string at its place, and the red rules
    pages = [p for n in notices for p in layout_notice(n["content"], n["content_hash"], chosen)]
    strings = [[(t.font, t.size, t.x, t.y, t.text) for t in p.texts] for p in pages]
    rules = [p.rules for p in pages]
    black_rules = [p.black_rules for p in pages]
    per_notice = len(pages) // len(notices)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "notices.pdf"
        base = Path(tmp) / "bare.pdf"

        def ours() -> None:
            layout.wrap.cache_clear()
            notice_mod._rows_memo.cache_clear()  # paragraphs laid out and justified afresh too
            render_notices(notices, out)

        def bare() -> None:
            def draw(fh: object) -> None:
                c = new_canvas(fh, font=body)
                for page, lines, black in zip(strings, rules, black_rules):
                    for x1, y1, x2, y2 in lines:
                        c.setStrokeColorRGB(*layout.RED)
                        c.line(x1, y1, x2, y2)
                    for x1, y1, x2, y2, width in black:  # the 版记's rules
                        c.setStrokeColorRGB(0, 0, 0)
                        c.setLineWidth(width)
                        c.line(x1, y1, x2, y2)
                    current = None
                    for font, size, x, y, text in page:
                        if (font, size) != current:
                            c.setFont(font, size)
                            current = (font, size)
                        c.drawString(x, y, text)
                    c.showPage()
                c.save()

            write_atomically(base, draw)

        # alternated, best of three each, so a burst of load from elsewhere hits both sides alike
        t_ours, t_bare = float("inf"), float("inf")
        for _ in range(3):
            t_ours = min(t_ours, best_of(ours, 1))
            t_bare = min(t_bare, best_of(bare, 1))
        size = out.stat().st_size
    return [Figure(f"{N:,} notices into one PDF ({per_notice} page(s) each, {size / 1e6:.1f} MB, embedded TTF subset)",
                   t_ours, "bare reportlab drawString of the same strings and rules, same font", t_bare,
                   bar_seconds=3.0, bar_ratio=1.5)]


if __name__ == "__main__":
    script(__doc__, run)
