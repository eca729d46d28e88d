"""User accounts through the operations layer: only an administrator adds or changes accounts, whatever
front end asks; a refusal writes nothing; the first account is an administrator; the last active
administrator cannot be demoted."""
from __future__ import annotations

import pytest

from desktop.core.errors import ValidationFailed
from desktop.operations import roles, users
from desktop.operations.session import Actor, PermissionDenied, Session


def _audit_count() -> int:
    from desktop.store.models import AuditEntry

    return AuditEntry.select().where(AuditEntry.entity == "user").count()


def test_the_implicit_user_makes_the_first_account_an_administrator(db):
    s = Session.attach(db)
    assert s.actor.implicit and not users.has_accounts(s)
    row = users.create(s, "lin", "林振华", "correct horse", roles.CLERK)
    assert row["role"] == roles.ADMIN and users.has_accounts(s)
    assert users.check("lin", "correct horse") == Actor("lin", "林振华", roles.ADMIN)
    assert users.check("lin", "wrong password") is None and users.check("nobody", "correct horse") is None


@pytest.mark.parametrize("role", [roles.CLERK, roles.REVIEWER, None])
def test_only_an_administrator_adds_or_changes_accounts(db, role):
    admin = Session.attach(db)
    users.create(admin, "lin", "林振华", "correct horse", roles.ADMIN)
    users.create(Session(db, Actor("lin", "林振华", roles.ADMIN)), "chen", "陈晓梅", "correct horse", roles.CLERK)
    before = (users.listing(admin), _audit_count())
    s = Session(db, Actor("chen", "陈晓梅", role))
    with pytest.raises(PermissionDenied) as exc:
        users.create(s, "mallory", "马某", "correct horse", roles.ADMIN)
    assert "manage user accounts" in str(exc.value)
    with pytest.raises(PermissionDenied):
        users.update(s, "chen", role=roles.ADMIN)  # not even one's own role
    with pytest.raises(PermissionDenied):
        users.update(s, "lin", password="taken over!")
    assert (users.listing(admin), _audit_count()) == before
    assert users.check("lin", "correct horse") is not None


def test_an_administrator_changes_accounts_and_the_last_one_stays(db):
    users.create(Session.attach(db), "lin", "林振华", "correct horse", roles.ADMIN)
    s = Session(db, Actor("lin", "林振华", roles.ADMIN))
    users.create(s, "wang", "王建国", "correct horse", roles.CLERK)
    users.update(s, "wang", role=roles.REVIEWER, password="new secret 1")
    assert users.get(s, "wang")["role"] == roles.REVIEWER
    assert users.check("wang", "new secret 1") is not None and users.check("wang", "correct horse") is None
    with pytest.raises(ValidationFailed) as exc:
        users.update(s, "lin", role=roles.CLERK)
    assert exc.value.problems[0].field == "role"
    with pytest.raises(ValidationFailed) as exc:
        users.create(s, "wang", "另一个王", "correct horse", roles.CLERK)
    assert exc.value.problems[0].field == "username"
    users.update(s, "wang", active=False)
    assert users.check("wang", "new secret 1") is None
    from desktop.store.models import AuditEntry

    entries = list(AuditEntry.select().where(AuditEntry.entity == "user").order_by(AuditEntry.id))
    assert [e.user for e in entries[1:]] == ["lin"] * 3
    assert all("secret" not in str(e.after) for e in entries)
