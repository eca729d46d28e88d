"""What the command line prints for an officer in Chinese carries no internal id: no policy id, rule id,
target id, status or vocabulary code, no global id (uuid). The ids stay in --json, and an officer's
own references (a policy's number in the listing, its title or document number; a round's year)
are accepted where an option needs one."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, run_main

ZH = {"STDAWARD_LANG": "zh_CN"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
STATUS_CODES = ("awarded", "not_eligible", "discretionary", "unspecified", "duplicate", "draft", "submitted",
                "approved", "returned")
KIND_CODES = ("standard", "secretariat", "prize", "pilot", "leader", "research", "gi", "good_behavior", "adoption",
              "self_declared", "innovation_base", "national", "provincial", "municipal", "group", "industry", "local")


def _policy_ids() -> set[str]:
    """Every policy, rule and target id the installed policies define."""
    out: set[str] = set()
    for f in (ROOT / "policies").glob("*.toml"):
        data = tomllib.loads(f.read_text("utf-8"))
        out.add(data["policy"]["id"])
        out.update(r["id"] for key in ("rules", "targets") for r in data.get(key, []) if isinstance(r.get("id"), str))
    return out


def _ids_in(text: str) -> list[str]:
    found = [m.group(0) for m in UUID.finditer(text)]
    for code in sorted(_policy_ids()) + list(STATUS_CODES) + list(KIND_CODES):
        if re.search(rf"(?<![\w/-]){re.escape(code)}(?![\w-])", text):
            found.append(code)
    return found


def _cli(db: Path, *argv: str) -> str:
    """The command's output in Chinese, run in this process (the refusals below run the real program)."""
    r = run_main(*argv, "--db", str(db), env=ZH)
    assert r.returncode == 0, (argv, r.stderr)
    return r.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    _cli(db, "demo")
    _cli(db, "round", "compute", "--year", "2024")  # under the office's policy in force, named by nobody
    return db


LISTINGS = [("policies",), ("office",), ("list", "enterprises"), ("list", "achievements"), ("targets",),
            ("compute", "--year", "2024"), ("compare", "--policy", "3", "--policy", "莆城政〔2021〕88号", "--year", "2024"),
            ("round", "show", "2024"), ("notice-wording",), ("offices",), ("replies",), ("consolidate",),
            ("payment", "list"), ("notice-list",), ("publicity", "show", "2024")]


@pytest.mark.parametrize("argv", LISTINGS, ids=lambda a: " ".join(a))
def test_listings_in_chinese_show_no_internal_id(demo, argv):
    out = _cli(demo, *argv)
    assert out.strip() or argv[0] in ("notice-list",)
    assert _ids_in(out) == [], out


def test_the_checker_sees_the_ids_it_looks_for(demo):
    """The same outputs as --json do carry the ids, so the check above can fail."""
    assert "putian-chengxiang-2021" in _ids_in(_cli(demo, "policies", "--json"))
    assert UUID.pattern and _ids_in(_cli(demo, "office", "--json"))
    assert {"standards-60", "group-standards-6"} <= set(_ids_in(_cli(demo, "targets", "--json")))
    assert "awarded" in _ids_in(_cli(demo, "compute", "--year", "2024", "--json"))


def test_targets_are_numbered_in_the_policys_order_with_their_text(demo):
    lines = _cli(demo, "targets").splitlines()
    rows = json.loads(_cli(demo, "targets", "--json"))
    assert len(lines) == len(rows) > 3
    for n, (line, row) in enumerate(zip(lines, rows), 1):
        assert line.lstrip().startswith(f"{n}.") and line.endswith(row["text"])


def test_round_show_gives_the_reason_a_line_is_refused_in_the_round_screens_words(demo):
    """A 不符合条件 line says why, as the round screen's explanation does; every line ends with it."""
    out = [p for p in _cli(demo, "round", "show", "2024").splitlines()[1:] if not p.startswith("\t! ")]
    lines = json.loads(_cli(demo, "round", "show", "2024", "--json"))["lines"]
    assert len(out) == len(lines) and any(ln["status"] == "not_eligible" for ln in lines)
    for printed, line in zip(out, lines):
        assert printed.split("\t")[0] == line["enterprise"] and line["explanation"]
        assert printed.split("\t")[-1] == line["explanation"], printed
    refused = [p for p, ln in zip(out, lines) if ln["status"] == "not_eligible"]
    assert all(p.split("\t")[2] == "不符合条件" for p in refused)


def test_round_show_prints_each_lines_flags_under_it_as_the_round_screen_marks_them(tmp_path):
    """A reviewer approving from the command line reads the same warnings as on the round screen:
    the 5元 reading under the national pilot only, nothing under the provincial one."""
    db = tmp_path / "o.db"
    _cli(db, "demo")
    _cli(db, "round", "compute", "--year", "2025")
    out = _cli(db, "round", "show", "2025").splitlines()[1:]
    lines = json.loads(_cli(db, "round", "show", "2025", "--json"))["lines"]
    assert [p for p in out if not p.startswith("\t! ")] and len(out) == len(lines) + sum(len(ln["flags"]) for ln in lines)
    at = 0
    for line in lines:
        assert out[at].split("\t")[0] == line["enterprise"]
        assert out[at + 1:at + 1 + len(line["flags"])] == [f"\t! {f}" for f in line["flags"]]
        at += 1 + len(line["flags"])
    national = next(i for i, p in enumerate(out) if "国家级服务业标准化试点" in p and "予以奖补" in p)
    provincial = next(i for i, p in enumerate(out) if "省级农业标准化试点" in p and "予以奖补" in p)
    assert "“5元”" in out[national + 1] and out[national + 1].startswith("\t! 五(二)6")
    assert provincial + 1 == len(out) or not out[provincial + 1].startswith("\t! ")
    assert not _ids_in("\n".join(out))


def test_publicity_wording_lists_its_texts_by_number_and_label_and_takes_the_number(tmp_path):
    """No key such as letter_closing on the officer's screen or in a refusal: the texts are numbered
    with the settings dialog's labels, and the number names one in --set and --default."""
    from desktop.core.labels import PUBLICITY_WORDING_LABELS

    db = tmp_path / "o.db"
    _cli(db, "demo")
    shown = _cli(db, "publicity", "wording").splitlines()[1:]
    defaults = json.loads(_cli(db, "publicity", "wording", "--json"))
    assert [line.split("\t")[0] for line in shown] == ["1. 公示：开头段", "2. 公示：异议受理", "3. 公示：联系方式",
                                                        "4. 告知书：开头段", "5. 告知书：申请更正或复核", "6. 告知书：联系方式",
                                                        "7. 告知书：结束语", "8. 告知书：申请复核期限（工作日）"]
    assert [line.split("\t")[1] for line in shown] == [str(defaults[k]) for k in PUBLICITY_WORDING_LABELS]
    changed = _cli(db, "publicity", "wording", "--set", "7=特此函告。", "--set", "告知书：申请复核期限（工作日）=20")
    assert "7. 告知书：结束语\t特此函告。" in changed and "8. 告知书：申请复核期限（工作日）\t20" in changed
    for bad in (("--set", "5=向{bureau}申请"), ("--set", "8=0"), ("--set", "letter_seal=某局"), ("--default", "12")):
        r = run_cli("publicity", "wording", *bad, "--db", str(db), env=ZH, process=True)
        assert r.returncode in (1, 2) and "Traceback" not in r.stderr, r.stderr
        assert not any(k in r.stderr.replace("letter_seal", "") for k in PUBLICITY_WORDING_LABELS), r.stderr
        assert "告知书：" in r.stderr and "publicity" not in r.stderr, r.stderr
    assert json.loads(_cli(db, "publicity", "wording", "--json"))["letter_days"] == 20  # nothing half-written


def test_office_shows_the_policys_title_and_the_role_in_words(demo):
    out = _cli(demo, "office")
    assert "莆田市城厢区人民政府关于深化标准化工作改革推动高质量发展的实施意见" in out
    role = next(line for line in out.splitlines() if line.startswith("角色"))
    assert role.startswith("角色：")  # a Chinese label takes the full-width colon
    assert role.split("：", 1)[1].strip() not in ("county", "city")
    assert json.loads(_cli(demo, "office", "--json"))["policy"] == "putian-chengxiang-2021"  # the id stays in JSON


@pytest.mark.parametrize("ref", ["3", "莆城政〔2021〕88号", "莆田市城厢区人民政府关于深化标准化工作改革推动高质量发展的实施意见",
                                 "putian-chengxiang-2021"])
def test_a_policy_is_named_by_its_number_title_document_number_or_id(demo, ref):
    listed = _cli(demo, "policies").splitlines()
    assert listed[2].lstrip().startswith("3.") and "莆城政〔2021〕88号" in listed[2]
    got = json.loads(_cli(demo, "targets", "--policy", ref, "--json"))
    assert [r["id"] for r in got][:2] == ["standards-60", "pilots-8"]


def test_an_unknown_policy_reference_is_refused_by_name(demo):
    for ref in ("99", "某某政策"):
        r = run_cli("targets", "--policy", ref, "--db", str(demo), env=ZH, process=True)
        assert r.returncode != 0 and ref in r.stderr and "Traceback" not in r.stderr


def test_notices_and_summary_take_the_rounds_year(demo, tmp_path):
    r = run_cli("summary", "--round", "2024", "--out", str(tmp_path / "s.pdf"), "--db", str(demo), env=ZH)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "s.pdf").read_bytes()[:5] == b"%PDF-"
    r = run_cli("notices", "--round", "2031", "--out", str(tmp_path / "n.pdf"), "--db", str(demo), env=ZH)
    assert r.returncode == 1 and "2031" in r.stderr and not (tmp_path / "n.pdf").exists()


def test_a_refused_round_step_names_the_rounds_state_in_words(tmp_path):
    db = tmp_path / "o.db"
    _cli(db, "demo")
    _cli(db, "round", "compute", "--year", "2024")
    _cli(db, "round", "submit", "2024")
    for step in (("round", "submit", "2024"), ("round", "compute", "--year", "2024")):
        r = run_cli(*step, "--db", str(db), env=ZH, process=True)
        assert r.returncode == 1 and "已提交审核" in r.stderr, r.stderr
        assert _ids_in(r.stderr) == [], r.stderr


def test_import_conflicts_are_numbered_and_resolved_by_number(tmp_path):
    """The dry run lists each conflict by a number and the table in words (no global id); the
    officer resolves it by that number."""
    from test_exchange import _both_sides_changed

    dst, pkg = _both_sides_changed(tmp_path)
    r = run_cli("import", str(pkg), "--dry-run", "--db", str(dst), env=ZH)
    assert r.returncode == 0, r.stderr
    conflict_lines = [line for line in r.stdout.splitlines() if "1" in line and "s1" in line]
    assert conflict_lines and not UUID.search(r.stdout) and "achievements" not in r.stdout, r.stdout
    r = run_cli("import", str(pkg), "--db", str(dst), "--take-theirs", "1", "--json", env=ZH)
    assert r.returncode == 0 and json.loads(r.stdout)["applied"]["taken_theirs"] == 1, r.stderr
    r = run_cli("import", str(pkg), "--db", str(dst), "--take-theirs", "7", env=ZH, process=True)
    assert r.returncode == 2 and "7" in r.stderr and "Traceback" not in r.stderr
