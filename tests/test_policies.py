"""The policy files: the five seeds load with their worked cases, strict validation names the file
and key, failing or missing cases refuse a policy, and local measures extend a seed."""
from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.core.engine import compute
from desktop.core.policies import PolicyError, bundled_dir, installed, known_policy_ids, load_policy
from desktop.core.vocabulary import parse_batch

SEEDS = ["guangzhou-2013", "jiulongpo-2012", "putian-chengxiang-2021", "quanzhou-2012", "wenzhou-2017"]
USCC = "91350100M000100Y43"

MINIMAL = '''
[policy]
id = "mini"
title = "测试政策"
issuer = "测试"
region_code = "350302"
issued = 2021-01-01

[funds.f]
name = "专项资金"

[[rules]]
id = "lead"
clause = "一"
text = "主导制定国家标准10万元"
kind = "standard"
pay = "amount"
fund = "f"
amount = "100000"
group = "g"
when = { level = ["national"], rank = { from = 1, to = 2 } }

[[case]]
name = "国家标准第1位"
given = [{ kind = "standard", level = "national", action = "formulate", rank = 1, date = "2021-05-01" }]
expect = [{ status = "awarded", amount = "100000", rule = "lead" }]
'''


def write(tmp_path: Path, text: str, name: str = "mini") -> Path:
    p = tmp_path / f"{name}.toml"
    p.write_text(text, "utf-8")
    return p


def ach(**kw):
    base = {"id": "x", "enterprise": USCC, "date": "2022-05-01"}
    achs, problems = parse_batch([{**base, **kw}])
    assert not problems, problems
    return achs[0]


def test_the_five_seed_policies_are_installed_and_their_cases_pass():
    assert sorted(known_policy_ids()) == SEEDS
    for pid in SEEDS:
        p = load_policy(pid)
        assert p.cases and p.rules and p.targets
        assert all(r.clause and r.text for r in p.rules)
        assert all(t.clause and t.text for t in p.targets)
    heads = {h["id"]: h for h in installed()}
    assert heads["putian-chengxiang-2021"]["document_number"] == "莆城政〔2021〕88号"
    assert heads["quanzhou-2012"]["issued"] == "2012-10-30"  # not the page's posting date 2018-12-12


def test_policies_without_amounts_still_list_categories_and_targets():
    for pid in ("wenzhou-2017", "guangzhou-2013"):
        p = load_policy(pid)
        assert {r.pay for r in p.rules} == {"unspecified"}
        assert len(p.targets) >= 4
    gz = load_policy("guangzhou-2013")
    aaaa = next(t for t in gz.targets if t.id == "aaaa-enterprises-100")
    assert aaaa.scope.values["grade"] == {"AAAA"} and aaaa.count == "enterprises"
    zz = next(t for t in load_policy("wenzhou-2017").targets if t.id == "zhejiang-made-20")
    assert zz.scope.ref_prefix == ("T/ZZB",) and zz.scope.values["level"] == {"group"}


def test_putian_typo_is_read_as_50000_and_the_note_travels():
    p = load_policy("putian-chengxiang-2021")
    r = compute(p, [ach(kind="pilot", level="national", domain="agriculture", accepted=True)])[0]
    assert r.amount == Decimal("50000.00")
    assert any("分别一次性给予5元、3万元的资助" in f and "50,000" in f for f in r.flags)


def test_jiulongpo_order_national_30_international_50():
    p = load_policy("jiulongpo-2012")
    rs = compute(p, [ach(id="n", kind="standard", level="national", action="formulate", rank=1, ref="GB/T 1-2013"),
                     ach(id="i", kind="standard", level="international", action="formulate", rank=1, ref="ISO 1:2013")])
    assert [r.amount for r in rs] == [Decimal("300000.00"), Decimal("500000.00")]


@pytest.mark.parametrize("change, key", [
    (("[[rules]]\nid = \"lead\"", "[[rules]]\nid = \"lead\"\ncolour = \"red\""), "rules[0] (lead).colour"),
    (("when = { level", "when = { amount = \"1\", level"), "rules[0] (lead).when.amount"),
    (("clause = \"一\"\n", ""), "rules[0] (lead).clause"),
    (("amount = \"100000\"", "amount = 100000.5"), "rules[0] (lead).amount"),
    (("amount = \"100000\"", "amount = \"10万\""), "rules[0] (lead).amount"),
    (("region_code = \"350302\"", "region_code = 350302"), "policy.region_code"),
    (("issued = 2021-01-01", "issued = \"2021-01-01\""), "policy.issued"),
    (("fund = \"f\"", "fund = \"nope\""), "rules[0] (lead).fund"),
])
def test_strict_validation_names_file_and_key(tmp_path, change, key):
    old, new = change
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(PolicyError) as exc:
        load_policy(path)
    assert exc.value.file == str(path)
    assert exc.value.key.startswith(key), exc.value.key
    assert str(path) in str(exc.value)


def test_overlapping_rank_ranges_in_one_group_are_refused(tmp_path):
    extra = MINIMAL.split("[[case]]")[0] + '''
[[rules]]
id = "participant"
clause = "二"
text = "参与制定国家标准5万元"
kind = "standard"
pay = "amount"
fund = "f"
amount = "50000"
group = "g"
when = { level = ["national"], rank = { from = 2, to = 5 } }
'''
    with pytest.raises(PolicyError) as exc:
        load_policy(write(tmp_path, extra))
    assert "participant" in exc.value.key and "when.rank" in exc.value.key
    assert "lead" in exc.value.message
    # the same ranges for another level do not overlap
    load_policy(write(tmp_path, extra.replace('level = ["national"], rank = { from = 2',
                                              'level = ["industry"], rank = { from = 2') + MINIMAL[MINIMAL.index("[[case]]"):]
                      .replace("国家标准第1位", "x") + '''
[[case]]
name = "行业标准第2位"
given = [{ kind = "standard", level = "industry", action = "formulate", rank = 2, date = "2021-05-01" }]
expect = [{ status = "awarded", amount = "50000", rule = "participant" }]
'''))


def test_a_policy_whose_case_fails_is_refused(tmp_path):
    path = write(tmp_path, MINIMAL.replace('expect = [{ status = "awarded", amount = "100000"',
                                           'expect = [{ status = "awarded", amount = "90000"'))
    with pytest.raises(PolicyError) as exc:
        load_policy(path)
    assert "case[0]" in exc.value.key and "amount" in exc.value.key
    assert "100000.00" in exc.value.message


def test_a_policy_without_cases_or_with_an_unexercised_rule_is_refused(tmp_path):
    with pytest.raises(PolicyError, match="worked cases"):
        load_policy(write(tmp_path, MINIMAL.split("[[case]]")[0]))
    shutil.copy(bundled_dir() / "putian-chengxiang-2021.toml", tmp_path / "putian-chengxiang-2021.toml")
    (tmp_path / "cases").mkdir()
    cases = (bundled_dir() / "cases" / "putian-chengxiang-2021.toml").read_text("utf-8")
    start = cases.index("# ---------------------------------------------------------------- 五(二)3")
    end = cases.index("# ---------------------------------------------------------------- 五(二)5")
    later = cases.index("# ---------------------------------------------------------------- issue 13")
    (tmp_path / "cases" / "putian-chengxiang-2021.toml").write_text(cases[:start] + cases[end:later], "utf-8")
    with pytest.raises(PolicyError, match="leader"):
        load_policy(tmp_path / "putian-chengxiang-2021.toml")


LOCAL = '''
[policy]
id = "wenzhou-lucheng-2018"
extends = "wenzhou-2017"
title = "鹿城区标准成果奖励实施细则"
document_number = "温鹿政办〔2018〕1号"
issuer = "温州市鹿城区人民政府办公室"
region_code = "330302"
issued = 2018-03-01
effective = 2018-03-01
effective_clause = "第十条"

[[rules]]
id = "innovation-base"
clause = "第三条"
text = "获评企业技术标准创新基地的，给予一次性奖励20万元"
pay = "amount"
fund = "wenzhou"
amount = "200000"

[[case]]
name = "创新基地20万；2018年3月1日前不奖"
given = [
  { kind = "innovation_base", level = "provincial", date = "2018-03-01", ref = "基地A" },
  { kind = "innovation_base", level = "provincial", date = "2018-02-28", ref = "基地B" },
  { kind = "leader", level = "national", date = "2018-05-01", ref = "领跑者" },
]
expect = [
  { status = "awarded", amount = "200000", rule = "innovation-base", clause = "第三条" },
  { status = "not_eligible", reason = "2018年3月1日" },
  { status = "unspecified", rule = "leader" },
]
'''


def test_a_local_measure_extends_a_seed_with_amounts(tmp_path):
    folder = tmp_path / "office-policies"
    folder.mkdir()
    write(folder, LOCAL, "wenzhou-lucheng-2018")
    p = load_policy("wenzhou-lucheng-2018", [folder])
    assert p.extends == "wenzhou-2017" and p.region_code == "330302"
    assert len(p.targets) == len(load_policy("wenzhou-2017").targets)
    r = compute(p, [ach(kind="innovation_base", level="national", date="2019-01-01", ref="基地C")])[0]
    assert (r.status, r.amount) == ("awarded", Decimal("200000.00"))
    assert "wenzhou-lucheng-2018" in known_policy_ids([folder])
    assert load_policy("wenzhou-2017").rule("innovation-base").pay == "unspecified"  # the seed is untouched
    # the derived hash depends on the base too, so a changed base means a changed policy
    assert p.content_hash != load_policy("wenzhou-2017").content_hash


def test_a_local_measure_is_case_tested_like_a_seed(tmp_path):
    write(tmp_path, LOCAL.replace('amount = "200000"\n', 'amount = "150000"\n'), "wenzhou-lucheng-2018")
    with pytest.raises(PolicyError, match="case"):
        load_policy("wenzhou-lucheng-2018", [tmp_path])
    write(tmp_path, LOCAL.replace('pay = "amount"', 'pay = "amount"\nfund2 = 1'), "wenzhou-lucheng-2018")
    with pytest.raises(PolicyError) as exc:
        load_policy("wenzhou-lucheng-2018", [tmp_path])
    assert "fund2" in exc.value.key
    write(tmp_path, LOCAL.replace('extends = "wenzhou-2017"', 'extends = "nowhere-2000"'), "wenzhou-lucheng-2018")
    with pytest.raises(PolicyError, match="no such policy"):
        load_policy("wenzhou-lucheng-2018", [tmp_path])


def test_a_local_file_cannot_take_a_bundled_id(tmp_path):
    write(tmp_path, MINIMAL.replace('id = "mini"', 'id = "wenzhou-2017"'), "wenzhou-2017")
    with pytest.raises(PolicyError, match="already used"):
        load_policy("wenzhou-2017", [tmp_path])


def test_unknown_policy_names_the_installed_ones():
    with pytest.raises(PolicyError, match="putian-chengxiang-2021"):
        load_policy("nowhere-2000")


def test_dates_are_real_dates():
    p = load_policy("quanzhou-2012")
    assert p.issued == dt.date(2012, 10, 30) and p.pools["city-2013-2015"].budget == Decimal("600000")
    assert p.funds["city"].pools["city-2013-2015"].years == (2013, 2014, 2015)
