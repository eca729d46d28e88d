"""Local measures through the operations layer: one implementation for the CLI and the GUI. Only an
administrator installs; an installed id is replaced only when asked for explicitly; a bundled id is
never taken; a measure whose worked case fails installs nothing; every install is in the audit log."""
from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import run_cli
from test_policies import LOCAL

from desktop.core.errors import StdAwardError
from desktop.core.policies import PolicyError
from desktop.operations import measures, roles
from desktop.operations.session import Actor, PermissionDenied, Session

ADMIN = Actor("admin1", "王管理", roles.ADMIN)


def _installs() -> list:
    from desktop.store.models import AuditEntry

    return list(AuditEntry.select().where(AuditEntry.action == "install").order_by(AuditEntry.id))


def _file(tmp_path, text: str = LOCAL, sub: str = "src"):
    folder = tmp_path / sub
    folder.mkdir(exist_ok=True)
    path = folder / "wenzhou-lucheng-2018.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize("role", [roles.CLERK, roles.REVIEWER, None])
def test_only_an_administrator_installs_a_measure(db, tmp_path, role):
    s = Session(db, Actor("u1", "李一", role))
    with pytest.raises(PermissionDenied):
        measures.install(s, _file(tmp_path))
    with pytest.raises(PermissionDenied):
        measures.install_text(s, LOCAL, "wenzhou-lucheng-2018")
    assert not measures.is_installed(s, "wenzhou-lucheng-2018") and _installs() == []


def test_an_installed_id_is_replaced_only_when_asked(db, tmp_path):
    s = Session(db, ADMIN)
    first = measures.install(s, _file(tmp_path))
    assert not first.replaced and first.path.read_text("utf-8") == LOCAL
    assert measures.load_policy(s, "wenzhou-lucheng-2018").rule("innovation-base").amount == Decimal(200000)

    changed = LOCAL.replace('"200000"', '"250000"')
    with pytest.raises(StdAwardError, match="already installed"):
        measures.install(s, _file(tmp_path, changed, "v2"))
    assert first.path.read_text("utf-8") == LOCAL and len(_installs()) == 1  # nothing silently overwritten

    again = measures.install(s, _file(tmp_path, changed, "v2"), replace=True)
    assert again.replaced and again.path == first.path
    assert measures.load_policy(s, "wenzhou-lucheng-2018").rule("innovation-base").amount == Decimal(250000)
    entries = _installs()
    assert [e.entity_uuid for e in entries] == ["wenzhou-lucheng-2018"] * 2
    assert [e.user for e in entries] == ["admin1", "admin1"]
    assert entries[1].after["replaced"] is True and entries[1].before["sha256"] == entries[0].after["sha256"]
    assert entries[1].after["sha256"] != entries[0].after["sha256"]
    assert not list(first.path.parent.glob(".installing-*"))


def test_a_failing_case_or_a_bundled_id_installs_nothing(db, tmp_path):
    s = Session(db, ADMIN)
    wrong = LOCAL.replace('amount = "200000", rule', 'amount = "150000", rule')
    with pytest.raises(PolicyError, match="case"):
        measures.install(s, _file(tmp_path, wrong))
    bundled = LOCAL.replace('id = "wenzhou-lucheng-2018"', 'id = "wenzhou-2017"\nx = 1', 1)
    src = tmp_path / "b" / "wenzhou-2017.toml"
    src.parent.mkdir()
    src.write_text(bundled.replace('extends = "wenzhou-2017"\n', ""), "utf-8")
    with pytest.raises(Exception) as exc:
        measures.install(s, src)
    assert "wenzhou-2017" in str(exc.value)
    with pytest.raises(StdAwardError, match="lower-case"):
        measures.install_text(s, LOCAL, "../evil")
    assert _installs() == [] and not list(s.folder("policies").glob("*.toml"))


def test_check_text_installs_nothing(db):
    s = Session(db, ADMIN)
    policy = measures.check_text(s, LOCAL, "wenzhou-lucheng-2018")
    assert policy.extends == "wenzhou-2017" and not measures.is_installed(s, "wenzhou-lucheng-2018")


def test_cli_policy_add_refuses_an_installed_id_without_replace(tmp_path):
    db = str(tmp_path / "office.db")
    src = _file(tmp_path)
    assert run_cli("policy-add", str(src), "--db", db).returncode == 0
    changed = _file(tmp_path, LOCAL.replace('"200000"', '"250000"'), "v2")
    r = run_cli("policy-add", str(changed), "--db", db)
    assert r.returncode != 0 and "already installed" in r.stderr and "--replace" in r.stderr
    assert "200000" in (tmp_path / "office-policies" / "wenzhou-lucheng-2018.toml").read_text("utf-8")
    r = run_cli("policy-add", str(changed), "--replace", "--db", db)
    assert r.returncode == 0 and "Replaced" in r.stdout, r.stderr
    assert "250000" in (tmp_path / "office-policies" / "wenzhou-lucheng-2018.toml").read_text("utf-8")


def test_a_policy_folder_that_cannot_be_written_is_named(db, tmp_path):
    s = Session(db, ADMIN)
    s.folder("policies").write_text("not a folder", "utf-8")  # e.g. a file where the folder should be
    with pytest.raises(StdAwardError) as exc:
        measures.install(s, _file(tmp_path))
    assert str(s.folder("policies")) in str(exc.value) and _installs() == []
