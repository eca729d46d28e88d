"""Attacks on what a printed 公示 list or 不予奖补告知书 keeps in the database, edited by hand:

* the wording a 公示 list was first printed with (its Setting row) is refused on the next print
  instead of silently printing other words under the same 公示, a format spec slipped into it
  included; put back as printed, the reprint is the first print byte for byte;
* a letter whose content and content hash were both rewritten passes its own hash check, so the
  audit check (the overview's integrity check) must say it no longer matches what the log recorded.
"""
from __future__ import annotations

import datetime as dt

import pytest
from test_refusals import DAY, approved_round, office, session  # noqa: F401 - fixture

from desktop.core.errors import StdAwardError
from desktop.operations import publicity as P


def _publicised(db) -> str:
    uuid = approved_round(db)
    P.start(session(db, "boss", "password-2"), uuid, 5, "泉州市市场监督管理局标准化科", "张明，0595-22500000",
            DAY - dt.timedelta(days=14))
    return uuid


def test_a_list_wording_edited_by_hand_in_the_database_is_refused_on_reprint(office, tmp_path):  # noqa: F811
    from desktop.operations import public_template_store as store
    from desktop.store.models import Setting

    uuid = _publicised(office)
    boss = session(office, "boss", "password-2")
    P.print_list(boss, uuid, tmp_path / "list-1.pdf")
    row = Setting.select().where(Setting.key.startswith(f"{store.LIST_KEY}.")).get()
    value = dict(row.value)
    value["wording"] = {**value["wording"], "list_objections": "对名单有异议的，请联系{objections_to}，匿名亦可。"}
    Setting.update(value=value).where(Setting.key == row.key).execute()
    with pytest.raises(StdAwardError, match="altered in the database"):
        P.print_list(boss, uuid, tmp_path / "list-2.pdf")
    assert not (tmp_path / "list-2.pdf").exists()
    # a format spec slipped into the snapshot is refused the same way, before anything is formatted
    value["wording"] = {**value["wording"], "list_opening": "{year:>999999999}"}
    Setting.update(value=value).where(Setting.key == row.key).execute()
    with pytest.raises(StdAwardError, match="altered in the database"):
        P.print_list(boss, uuid, tmp_path / "list-3.pdf")
    # put back as printed: the reprint is the first print, byte for byte
    Setting.update(value=dict(row.value)).where(Setting.key == row.key).execute()
    P.print_list(boss, uuid, tmp_path / "list-4.pdf")
    assert (tmp_path / "list-4.pdf").read_bytes() == (tmp_path / "list-1.pdf").read_bytes()


def test_a_letter_rewritten_with_a_matching_hash_is_found_by_the_audit_check(office, tmp_path):  # noqa: F811
    from desktop.notices import verify as V
    from desktop.store import audit
    from desktop.store.models import RefusalLetter

    uuid = approved_round(office)
    boss = session(office, "boss", "password-2")
    P.write_refusals(boss, uuid, tmp_path / "letters.pdf")
    assert audit.verify_rows() == []
    row = RefusalLetter.select().first()
    content = dict(row.content)
    content["text"] = {**content["text"], "paragraphs": ["经审核，下列事项予以奖补。", *content["text"]["paragraphs"][1:]]}
    RefusalLetter.update(content=content, content_hash=V.content_hash(content)).where(
        RefusalLetter.id == row.id).execute()
    findings = [f.message for f in audit.verify_rows()]
    assert len(findings) == 1 and "changed outside the program" in findings[0]
    assert row.content["recipient"]["name"] in findings[0]
