"""The audit log in words: every action and record kind the program writes has a label; an entry shows
who (full name), what was done, to which record (its name, never its internal id) and which fields
changed from what to what (labelled, money in yuan), never the raw key=value the database stores."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import GOOD_USCC, ROOT, std
from test_payments import notice as notice  # the fixture: an issued notice 泉市监〔2015〕1号
from test_policies import LOCAL

from desktop.core.status import RoundStatus
from desktop.operations import audit, measures, records, roles, settings, users
from desktop.operations.session import Actor, Session

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_every_action_and_record_kind_written_has_a_label():
    """Scan the program for audit entries it writes: each literal action and entity is labelled."""
    call = re.compile(r"audit\.record\(\s*[^,]+,\s*((?:\"[^\"]+\"|[a-z_]+)(?:\s+if[^,]+)?),\s*\"([^\"]+)\"")
    found: set[tuple[str, str]] = set()
    for path in (ROOT / "desktop").rglob("*.py"):
        for m in call.finditer(path.read_text("utf-8")):
            found.add((m.group(1), m.group(2)))
    assert len(found) > 20
    for action, entity in found:
        assert entity in audit.ENTITIES, entity
        for literal in re.findall(r"\"([^\"]+)\"", action) or [s.value for s in RoundStatus]:
            assert literal in audit.ACTIONS, literal


def test_entries_read_in_words(db):
    s = Session(db, Actor("lin", "林振华", roles.ADMIN))
    users.create(Session.attach(db), "lin", "林振华", "correct horse", roles.ADMIN)
    settings.update_office(s, name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监")
    records.load(s, {"enterprises": [{"uscc": GOOD_USCC, "name": "福建某某鞋业有限公司", "region": "350302"}],
                     "achievements": [std()]})
    users.create(s, "wang", "王建国", "correct horse", roles.CLERK)
    users.update(s, "wang", role=roles.REVIEWER, password="another secret")
    src = Path(db).parent / "m" / "wenzhou-lucheng-2018.toml"
    src.parent.mkdir()
    src.write_text(LOCAL, "utf-8")
    measures.install(s, src)

    rows = audit.entries(s)
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)  # newest first
    by = {(r["action"], r["entity"].split("：")[0]): r for r in rows}
    ent = by["added", "enterprise"]
    assert ent["entity"] == "enterprise：福建某某鞋业有限公司" and ent["user"] == "林振华"
    assert "credit code：91350100M000100Y43" in ent["change"] and "name：福建某某鞋业有限公司" in ent["change"]
    ach = by["added", "achievement"]
    assert ach["entity"] == "achievement：福建某某鞋业有限公司 · " + ach["entity"].split(" · ")[1]
    assert "level：national" in ach["change"] and "kind：Standard drafting" in ach["change"]  # in words
    role = by["changed", "user account"]
    assert role["entity"] == "user account：wang"
    assert "role：clerk → reviewer" in role["change"] and "password：changed" in role["change"]
    assert "another secret" not in role["change"]
    policy = by["installed", "local measure"]
    assert policy["entity"] == "local measure：鹿城区标准成果奖励实施细则" and "sha256" not in policy["change"]
    for r in rows:
        text = " ".join(str(v) for k, v in r.items() if k not in ("id", "at"))
        assert not UUID.search(text) and "=" not in text and "_" not in text, text


def test_an_achievement_names_its_enterprise_and_a_prize_its_grade_in_words(db):
    """An achievement's entry says whose it is by the enterprise's name (its credit code beside), and
    a prize's grade reads 三等奖, not 3."""
    from desktop.core import i18n

    s = Session(db, Actor("lin", "林振华", roles.ADMIN))
    settings.update_office(s, name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监")
    records.load(s, {"enterprises": [{"uscc": GOOD_USCC, "name": "福建某某鞋业有限公司", "region": "350302"}],
                     "achievements": [{"id": "p1", "enterprise": GOOD_USCC, "kind": "prize", "date": "2024-05-01",
                                       "prize": "china-innovation", "grade": "3", "rank": 1,
                                       "title": "运动鞋缓震性能"}]})
    i18n.set_locale("zh_CN")
    ach = next(r for r in audit.entries(s) if r["entity"].startswith("成果"))
    assert f"企业：福建某某鞋业有限公司（{GOOD_USCC}）" in ach["change"], ach["change"]
    assert "等次：三等奖" in ach["change"], ach["change"]
    assert "：3" not in ach["change"]
    assert audit.value_text("grade", "AAAA") == "AAAA"  # a good-behaviour grade as it is
    # an enterprise no longer in the database: its code, as stored
    assert audit.value_text("enterprise", "91350100M000200Y00", enterprises={}) == "91350100M000200Y00"


def test_changes_are_described_field_by_field():
    assert audit.describe({"status": "awarded", "amount": "1000.00"}, {"status": "awarded", "amount": "1500.50"}) \
        == "amount：¥1,000.00 → ¥1,500.50"
    assert audit.describe({"status": "submitted"}, {"status": "approved", "note": None}) \
        == "status：submitted for review → approved；note：-"
    assert audit.describe(None, None) == "-"
    assert audit.action_label("something-new") == "other change"
    assert audit.entity_label("some_table") == "other record"


def test_values_are_labelled_in_the_officers_language():
    from desktop.core import i18n

    i18n.set_locale("zh_CN")
    level, kind, role = audit.value_text("level", "national"), audit.value_text("kind", "standard"), \
        audit.value_text("role", "reviewer")
    for text in (level, kind, role, audit.value_text("status", "approved"), audit.value_text("active", True)):
        assert re.search(r"[\u4e00-\u9fff]", text), text  # Chinese words, not the stored key
    assert audit.value_text("amount", "1234.5") == "¥1,234.50"


def test_what_a_package_carried_reads_as_a_period_not_as_its_keys():
    """An export's entry said 「范围：成果类别 年度」 (the stored keys kind/year read as field names)."""
    from desktop.core import i18n

    i18n.set_locale("zh_CN")
    try:
        assert audit.value_text("period", {"kind": "year", "year": 2024}) == "2024年度"
        assert audit.value_text("period", {"kind": "since", "since": "2026-03-01T08:30:00"}) == "2026-03-01 08:30以来的变更"
        assert audit.value_text("period", {"kind": "all"}) == "全部记录"
        shown = audit.value_text("summary", {"period": {"kind": "year", "year": 2024}, "counts": {"achievement": 3}})
        assert "2024年度" in shown and "成果类别" not in shown, shown
    finally:
        i18n.set_locale("en")


def test_the_programs_own_work_is_named_in_words_not_by_its_internal_name(db):
    """An upgrade's entries and the automatic backup's read as such in the log, never as a user name."""
    from desktop.store import audit as store
    from desktop.store.models import database

    s = Session(db, Actor("lin", "林振华", roles.ADMIN))
    with database.atomic():
        store.record("migration", "upgrade", "schema", None, None, {"version": 99})
        store.record("automatic-backup", "daily", "backup", "2026-12-03", None, {"day": "2026-12-03"})
    shown = [r["user"] for r in audit.entries(s)[:2]]
    assert shown == ["automatic backup", "program upgrade"]


def test_notice_states_copies_decisions_and_policies_read_in_words(db):
    """What the printing, issuing and round entries hold is told in words: no status code, no policy id."""
    from desktop.core import i18n
    from desktop.store import audit as store
    from desktop.store.models import database

    s = Session(db, Actor("lin", "林振华", roles.ADMIN))
    with database.atomic():
        store.record("lin", "status", "notice", None, {"status": "pending"}, {"status": "issued"})
        store.record("lin", "print_archive", "notice", None, None, {"doc_number": "城市监〔2026〕1号", "copy": "archive"})
        store.record("lin", "decision", "award", None, {"decision": "proposed"}, {"decision": "approved"})
        store.record("lin", "create", "award_round", None, None, {"policy": "putian-chengxiang-2021", "year": 2024})
    i18n.set_locale("zh_CN")
    rows = audit.entries(s)[:4]
    shown = [r["change"] for r in rows]
    assert "莆田市城厢区人民政府关于深化标准化工作改革推动高质量发展的实施意见" in shown[0]
    assert "存档联" in rows[2]["action"] and shown[2] == "发文字号：城市监〔2026〕1号"
    for text in shown:  # nothing but the year, the document number and punctuation in Latin letters
        assert not re.search(r"[A-Za-z]", text.replace("城市监〔2026〕1号", "")), text


def test_a_payment_and_its_reversal_read_in_words_with_the_voucher_they_take_back(db, notice):
    """A reversal is named as such (not "other change") and names the payment it takes back by its
    voucher: no internal id, no stored key such as reference/reverses in the officer's language."""
    from desktop.core import i18n
    from desktop.operations import payments

    s = Session(db, Actor("boss", "李科长", roles.REVIEWER))
    payments.record(s, "泉市监〔2015〕1号", "200000", "2015-12-28", "PZ-1")
    payments.reverse(s, "泉市监〔2015〕1号", "PZ-1", "2016-01-05", "退-PZ-1", "账户有误")
    i18n.set_locale("zh_CN")
    reversal, payment = audit.entries(s)[:2]
    assert reversal["action"] != audit.action_label("something-new")
    assert "PZ-1" in reversal["change"] and "退-PZ-1" in reversal["change"]
    assert "PZ-1" in payment["change"]
    for row in (reversal, payment):
        assert not UUID.search(row["change"]), row["change"]
        assert not re.search(r"reference|reverses", row["change"]), row["change"]


def test_a_region_an_office_role_and_a_prize_are_shown_in_words(db):
    """The office's region changed reads with the regions' names beside their codes; its role and an
    award's prize in words, never the stored key (county, china-innovation)."""
    from desktop.core import i18n

    s = Session(db, Actor("lin", "林振华", roles.ADMIN))
    settings.update_office(s, name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监")
    settings.update_office(s, region_code="350303")
    i18n.set_locale("zh_CN")
    change = audit.entries(s)[0]["change"]
    assert "350302（福建省莆田市城厢区）" in change and "350303（福建省莆田市涵江区）" in change
    assert audit.value_text("role", "county") == "县（区）局（向市局报送数据包）"
    assert audit.value_text("role", "reviewer") == "审核人"
    assert audit.value_text("prize", "china-innovation") == "中国标准创新贡献奖"
    assert audit.describe(None, {"calendar": [], "days": 5}) == "日历说明：-；工作日数：5"  # not "日历说明：；"


def test_a_value_entered_for_a_target_names_the_target_by_its_text_not_its_id(db):
    """An officer reading the log sees which target the figure was entered for in the policy's words."""
    import datetime as dt

    from desktop.operations import targets

    users.create(Session.attach(db), "lin", "林振华", "correct horse", roles.ADMIN)
    s = Session(db, Actor("lin", "林振华", roles.ADMIN), clock=lambda: dt.date(2017, 12, 31))
    targets.enter_value(s, "wenzhou-2017", "adoption-rate-66", "70%", dt.date(2017, 6, 30), "统计年报")

    row = next(r for r in audit.entries(s) if r["entity"].startswith("target progress"))
    assert row["entity"] == "target progress：全市規模以上企業主導產品采標率66%以上"
    assert "target：全市規模以上企業主導產品采標率66%以上" in row["change"]
    assert "adoption-rate-66" not in row["entity"] + row["change"]
    assert "value：70%" in row["change"] and "source：统计年报" in row["change"]


def test_an_import_a_reply_and_a_sheet_of_payments_read_in_words(db):
    """At the city: an imported package, a reply to a county and a finance sheet's payments are told
    in words — the county by its name (not its internal id), the reply's decision, each count named —
    as the exchange view tells them, never as the keys the log stores."""
    from desktop.store import audit as store
    from desktop.store.models import KnownOffice, database

    s = Session(db, Actor("lin", "林振华", roles.ADMIN))
    county = "83184a9a-531f-4062-981d-d650067b5cab"
    KnownOffice.create(uuid=county, name="莆田市城厢区市场监督管理局", region_code="350302", public_key="k")
    with database.atomic():
        store.record("lin", "import", "package", "a" * 64, None, {
            "applied": {"deleted": 0, "inserted": 54, "kept_mine": 1, "taken_theirs": 2, "updated": 3},
            "counts": {"conflicts": 3, "deleted": 0, "new": 54, "rejected": 0, "unchanged": 0, "updated": 3},
            "name": "莆田市城厢区市场监督管理局", "office": county,
            "new": {"achievements": 21, "awards": 21, "enterprises": 11, "rounds": 1},
            "payments": {"new": 0, "rejected": 0}, "sequence": 1})
        store.record("lin", "reply", "package", "b" * 64, None,
                     {"decision": "returned", "office": county, "remarks": 2, "sequence": 1, "year": 2025})
        store.record("lin", "import-payments", "payment", None, None, {"rows": 2})
        store.record("lin", "export", "package", "c" * 64, None, {
            "counts": {"achievements": 21, "awards": 21, "enterprises": 11, "rounds": 1, "summaries": 1},
            "path": "/media/u/城厢-2025.stdpkg", "period": {"kind": "year", "year": 2025}, "sequence": 1})
    rows = {r["action"]: r["change"] for r in audit.entries(s)[:4]}
    sheet, reply = rows["payments imported from the finance bureau's sheet"], rows["reply written for a county"]
    imported, exported = rows["imported"], rows["exported"]
    assert county not in reply + imported and "莆田市城厢区市场监督管理局" in reply
    assert "decision：submission returned；" in reply
    raw = re.compile(r"(^|[：，；])(applied|inserted|kept mine|taken theirs|achievements|enterprises|rounds|summaries|"
                     r"remarks|rows|office|payments|new|conflicts|unchanged|updated|deleted|rejected)[ ：]")
    for text in (reply, imported, exported, sheet):
        assert not raw.search(text), text
    assert sheet == "records：2", sheet
    assert "Deleted：-" in imported or "Deleted：" not in imported, imported


def test_a_changed_group_of_settings_is_described_by_what_changed_in_it():
    """The 公示 switched off read 「公示：本地休息日 -，不予奖补告知书发文字号前缀 -，下达通知书前公示 是，本地工作日 - →
    本地休息日 -，…，下达通知书前公示 否，本地工作日 -；原因：演示」: every setting twice, the one that
    changed to be found among them."""
    from desktop.core import i18n

    i18n.set_locale("zh_CN")
    try:
        before = {"publicity": {"days_off": [], "refusal_prefix": "", "required": True, "workdays": []}}
        after = {"publicity": {"days_off": [], "refusal_prefix": "", "required": False, "workdays": []},
                 "reason": "演示"}
        assert audit.describe(before, after) == "下达通知书前公示：是 → 否；原因：演示"
        days = {"publicity": {**after["publicity"], "days_off": ["2026-06-01"]}}
        assert audit.describe(after, days) == "本地休息日：- → 2026-06-01；原因：演示 → -"
    finally:
        i18n.set_locale("en")
