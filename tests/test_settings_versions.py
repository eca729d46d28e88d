"""Two administrators changing the office's settings or its wording at once (schema 6): the second
save, made on what the first changed, is refused naming who saved and when, nothing of it written,
on SQLite and on a server, through the operations and the command line (``--if-version``). Saves
without a version (one officer at a time) never lose a version either: on a server two saves at the
same moment take two numbers."""
from __future__ import annotations

import json
import threading

import pytest
from conftest import run_cli
from conftest_pg import pg_server  # noqa: F401 - fixture
from test_daily_path import OFFICE, PASSWORDS, office_with_records

from desktop.core.errors import StaleRecord


@pytest.fixture
def two_admins(office_db):
    """The office with its records; 林主任 (lin) and a second administrator 周局长 (zhou), each with a
    session of their own on the same database (two PCs, as far as the settings go)."""
    from desktop.operations import users
    from desktop.operations.session import Session
    from desktop.store.paths import resolve_db_path

    s = Session.open(resolve_db_path(office_db), auto_backup=False, check=False)
    try:
        office_with_records(s)
        s.sign_in("lin", PASSWORDS["lin"])
        users.create(s, "zhou", "周局长", "zhou-pass-1", "admin")
        other = Session.attach(s.db_path)
        other.sign_in("zhou", "zhou-pass-1")
        yield s, other, office_db
    finally:
        s.close()


def _audit_count() -> int:
    from desktop.store.models import AuditEntry

    return AuditEntry.select().count()


def test_the_second_of_two_settings_saves_is_refused_naming_who_saved_first(two_admins):
    from desktop.operations import publicity, settings

    lin, zhou, _db = two_admins
    seen_lin, seen_zhou = settings.office_version(lin), settings.office_version(zhou)
    assert seen_lin == seen_zhou is not None
    settings.update_office(lin, version=seen_lin, signatory="林主任")
    entries = _audit_count()
    with pytest.raises(StaleRecord) as exc:
        settings.update_office(zhou, version=seen_zhou, name="莆田市城厢区市场监管局")
    assert "林主任" in str(exc.value) and "reload" in str(exc.value) and exc.value.by == "林主任"
    assert settings.office_dict(zhou)["name"] == OFFICE["name"] and _audit_count() == entries  # nothing written
    with pytest.raises(StaleRecord):  # the 公示 settings are the office's settings too
        publicity.save_settings(zhou, required=True, reason=None, days_off=[], workdays=[], refusal_prefix="城市监告",
                                version=seen_zhou)
    with pytest.raises(StaleRecord):
        settings.close_policy(zhou, OFFICE["policy_id"], None, version=seen_zhou)
    assert publicity.settings(zhou)["refusal_prefix"] == "" and _audit_count() == entries

    again = settings.office_version(zhou)  # reloaded: the change goes through
    assert again == seen_zhou + 1
    settings.update_office(zhou, version=again, name="莆田市城厢区市场监管局")
    after = settings.office_dict(lin)
    assert (after["name"], after["signatory"], after["version"]) == ("莆田市城厢区市场监管局", "林主任", again + 1)


def test_the_second_of_two_wording_saves_is_refused_and_the_history_keeps_both_officers_versions(two_admins):
    from desktop.operations import publicity, wording

    lin, zhou, _db = two_admins
    v, words = wording.template(lin)
    assert v == 0
    assert wording.save_template(lin, {**words, "closing": "特此通知。"}, v) == 1
    with pytest.raises(StaleRecord) as exc:
        wording.save_template(zhou, {**words, "closing": "此复。"}, v)
    assert "林主任" in str(exc.value) and "notice wording" in str(exc.value)
    assert wording.template(zhou) == (1, {**words, "closing": "特此通知。"})
    with pytest.raises(StaleRecord):  # restoring the defaults on an old screen is a change too
        wording.restore_defaults(zhou, v)
    assert wording.template(zhou)[0] == 1

    pv, pwords = publicity.wording(lin)
    publicity.save_wording(lin, {**pwords, "letter_closing": "特此函告。"}, pv)
    with pytest.raises(StaleRecord) as exc:
        publicity.save_wording(zhou, {**pwords, "letter_closing": "特此告知。"}, pv)
    assert "林主任" in str(exc.value) and "publicity wording" in str(exc.value)
    assert publicity.wording(zhou)[1]["letter_closing"] == "特此函告。"


def test_wording_saved_by_several_officers_at_the_same_moment_takes_one_number_each(two_admins):
    """Without a version (the command line's plain save): on a server the saves wait for each other, so
    none reuses a number or overwrites another's place in the history."""
    from desktop.operations import template_store, wording

    lin, zhou, db = two_admins
    if not db.startswith("postgresql://"):
        pytest.skip("on a SQLite file one process writes at a time (the writer lock): nothing saves at once")
    start = threading.Barrier(4)
    saved: list[int] = []
    errors: list[BaseException] = []

    def save(s, n: int) -> None:
        try:
            start.wait()
            saved.append(wording.save_template(s, {"closing": f"特此通知（{n}）。"}))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(s, i)) for i, s in enumerate((lin, zhou, lin, zhou))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(saved) == [1, 2, 3, 4]
    history = template_store.history()
    assert [h["version"] for h in history] == [1, 2, 3, 4]
    assert sorted(h["template"]["closing"] for h in history) == sorted(f"特此通知（{n}）。" for n in range(4))


def test_the_command_line_changes_the_office_only_at_the_version_it_read(two_admins, tmp_path):
    lin, _zhou, db = two_admins
    lin.close()  # the command line runs as other processes (a PC's SQLite file takes one at a time)
    pw = {}
    for who, password in (("lin", PASSWORDS["lin"]), ("zhou", "zhou-pass-1")):
        pw[who] = tmp_path / f"{who}.pw"
        pw[who].write_text(password + "\n", "utf-8")

    def cli(who: str, *argv: str):
        return run_cli(*argv, "--db", db, "--user", who, "--password-file", str(pw[who]),
                       env={"STDAWARD_LANG": "en"})

    read = cli("zhou", "office", "--json")
    assert read.returncode == 0, read.stderr
    seen = json.loads(read.stdout)["version"]
    first = cli("lin", "office", "--signatory", "林主任", "--if-version", str(seen))
    assert first.returncode == 0, first.stderr
    second = cli("zhou", "office", "--signatory", "周局长", "--if-version", str(seen))
    assert second.returncode == 1 and "林主任" in second.stderr and "Traceback" not in second.stderr
    shown = cli("zhou", "office")
    assert "Signatory: 林主任" in shown.stdout and f"Version of the settings: {seen + 1}" in shown.stdout
    bad = cli("zhou", "office", "--signatory", "周局长", "--if-version", "x")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr

    words = cli("lin", "notice-wording", "--json")
    version = json.loads(words.stdout)["version"]
    changed = cli("lin", "notice-wording", "--kind", "standard", "--line", "{n}你单位主导制定{achievement}，依据{clause}给予奖补资金{amount}。",
                  "--if-version", str(version))
    assert changed.returncode == 0, changed.stderr
    late = cli("zhou", "notice-wording", "--kind", "standard", "--general", "--if-version", str(version))
    assert late.returncode == 1 and "林主任" in late.stderr
    assert json.loads(cli("zhou", "notice-wording", "--json").stdout)["kinds"]["standard"] == "{n}你单位主导制定{achievement}，依据{clause}给予奖补资金{amount}。"
    late = cli("zhou", "publicity", "wording", "--set", "letter_closing=特此告知。", "--if-version", "7")
    assert late.returncode == 1 and "publicity wording" in late.stderr and "Traceback" not in late.stderr
