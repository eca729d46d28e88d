"""User accounts: scrypt hashes with salt, first account is an administrator, one admin remains."""
from __future__ import annotations

import pytest

from desktop.core.errors import ValidationFailed
from desktop.store import users
from desktop.store.models import AuditEntry


def test_first_user_is_admin_and_later_ones_get_their_role(db):
    first = users.create_user("lin", "林振华", "correct horse", "clerk")
    second = users.create_user("chen", "陈丽娟", "battery staple", "reviewer", by="lin")
    assert first.role == "admin"
    assert second.role == "reviewer"


def test_password_is_salted_scrypt_and_verifies(db):
    u = users.create_user("lin", "林振华", "correct horse")
    assert u.password_hash.startswith("scrypt2$") and "correct horse" not in u.password_hash
    assert users.hash_password("same pass", "u1") != users.hash_password("same pass", "u1")  # salted
    assert users.verify("lin", "correct horse").username == "lin"
    assert users.verify("lin", "wrong horse") is None
    assert users.verify("nobody", "correct horse") is None


def test_audit_log_never_holds_the_password(db):
    u = users.create_user("lin", "林振华", "correct horse")
    users.update_user(u, "lin", password="new password 1")
    text = " ".join(str(e.after) for e in AuditEntry.select())
    assert "correct horse" not in text and "new password 1" not in text


def test_bad_accounts_are_refused_with_the_field_named(db):
    users.create_user("lin", "林振华", "correct horse")
    with pytest.raises(ValidationFailed) as exc:
        users.create_user("lin", "", "short")
    fields = {p.field for p in exc.value.problems}
    assert fields == {"username", "display_name", "password"}


def test_the_last_administrator_cannot_be_demoted_or_deactivated(db):
    admin = users.create_user("lin", "林振华", "correct horse")
    with pytest.raises(ValidationFailed):
        users.update_user(admin, "lin", role="clerk")
    with pytest.raises(ValidationFailed):
        users.update_user(admin, "lin", active=False)
    users.create_user("chen", "陈丽娟", "battery staple", "admin", by="lin")
    assert users.update_user(admin, "chen", role="reviewer").role == "reviewer"


def test_deactivated_user_cannot_sign_in(db):
    users.create_user("lin", "林振华", "correct horse")
    clerk = users.create_user("wu", "吴秀英", "password 12", "clerk", by="lin")
    users.update_user(clerk, "lin", active=False)
    assert users.verify("wu", "password 12") is None
