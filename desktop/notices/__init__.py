"""Official documents drawn with reportlab (Qt-free): award notices (奖补通知书) and summary tables (汇总表).

Public API (the GUI calls these off the UI thread):

* ``render_notices(notices, out_path, copy="enterprise"|"archive", progress=cb, cancel=fn)`` —
  ``notices`` are mappings with ``content`` and ``content_hash`` as stored in ``Notice`` rows
  (``desktop.operations.notices.issue_for_round`` / ``issue_from_results`` make them; ``notice_data``
  reads them back). ``progress(done, total)``; ``cancel()`` → True stops with ``Cancelled`` and
  writes nothing.
* ``render_summary(rows, out_path, title=..., progress=cb, cancel=fn)`` — the 汇总表 as PDF
  (landscape, header repeated on every page, page totals) or xlsx (by the file suffix).
* ``fonts.choose(office.settings)`` — which font files will be used (and ``fonts.FontError``).

Layout facts (GB/T 9704-2012) are in ``layout``; the wording of a notice in ``content``; the
verification code and QR code in ``verify``.
"""
from desktop.notices.notice import Cancelled, render_notices  # noqa: F401
