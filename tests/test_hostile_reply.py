"""A city's reply is signed by a registered city, but its program could be old or altered: the
county applies its own text rules to what a reply says. A reply whose decision comment, a remark's
comment or label carries a control or text-direction character, or runs to megabytes, is refused
whole, naming what is wrong, and nothing of it is kept."""
from __future__ import annotations

import pytest
from test_exchange import apply, city, county, export, using
from test_exchange_reply import _session, _trust_city

from desktop.exchange.package import PackageError


def _reply(tmp_path):
    from desktop.operations import exchange

    path, card = county(tmp_path)
    city_db = city(tmp_path, card)
    apply(city_db, export(path, tmp_path / "p1.stdpkg", year=2024).path)
    _trust_city(path, city_db)
    with _session(city_db) as s:
        exchange.reply(s, tmp_path / "r1.stdpkg", card["name"], year=2024, decision="returned",
                       comment="请补正后重新报送", remarks={"s1": "标准文本封面不清晰"})
    return path, city_db, tmp_path / "r1.stdpkg"


@pytest.mark.parametrize("where,value", [
    ("comment", "请补正\u202e送报新重后"), ("comment", "请补正\x1b[2J后重新报送"), ("comment", "补" * 100_000),
    ("remark_comment", "封面\u200f不清晰"), ("remark_label", "s1\x1b]0;owned\x07"), ("remark_label", "s" * 50_000),
])
def test_a_reply_with_hidden_characters_or_megabytes_of_text_is_refused_whole(tmp_path, where, value):
    from desktop.exchange import package, reply

    path, city_db, good = _reply(tmp_path)
    pkg = package.read_package(good)
    decisions, remarks = [list(r) for r in pkg.rows("decisions")], [list(r) for r in pkg.rows("remarks")]
    if where == "comment":
        decisions[0][reply.DECISION_COLUMNS.index("comment")] = value
    else:
        remarks[0][reply.REMARK_COLUMNS.index(where.split("_")[1])] = value
    forged = tmp_path / "forged.stdpkg"
    from desktop.exchange.offices import signing_office

    with using(city_db):
        key = signing_office().signing_key
    tables = {t: (pkg.columns(t), pkg.rows(t)) for t in pkg.tables}
    tables["decisions"] = (pkg.columns("decisions"), decisions)
    tables["remarks"] = (pkg.columns("remarks"), remarks)
    forged.write_bytes(package.build(dict(pkg.manifest), tables, key))
    with pytest.raises(PackageError, match="reply"):
        apply(path, forged)
    from desktop.operations import exchange

    with _session(path) as s:
        assert exchange.replies(s) == []
    assert apply(path, good).applied["replies"] == 1  # the reply as the city wrote it is taken
