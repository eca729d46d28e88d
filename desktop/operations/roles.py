"""Who may do what (DESIGN.md "Roles"), in one table, checked by ``Session.require``.

``clerk`` records enterprises and achievements and prepares rounds; ``reviewer`` approves or
returns rounds (never one they prepared) and issues, voids and records payment of notices; ``admin``
does all that plus users, office settings, local measures, key registration and restore. A database
without accounts has one user acting as administrator.
"""
from __future__ import annotations

from desktop.core.i18n import N_, _

CLERK, REVIEWER, ADMIN = "clerk", "reviewer", "admin"
ROLES = (CLERK, REVIEWER, ADMIN)
ROLE_LABELS = {CLERK: N_("clerk"), REVIEWER: N_("reviewer"), ADMIN: N_("administrator")}

# action -> roles allowed; the action's label is what a refusal names.
PERMISSIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "records.edit": ((CLERK, ADMIN), N_("change enterprises and achievements")),
    "rounds.prepare": ((CLERK, ADMIN), N_("prepare an award round")),
    "rounds.review": ((REVIEWER, ADMIN), N_("approve or return an award round")),
    "notices.issue": ((REVIEWER, ADMIN), N_("issue notices")),
    "publicity.start": ((REVIEWER, ADMIN), N_("publicise an approved round's list")),
    "publicity.object": ((CLERK, REVIEWER, ADMIN), N_("record an objection to a publicised list")),
    "publicity.close": ((REVIEWER, ADMIN), N_("close an objection")),
    "notices.print": ((CLERK, REVIEWER, ADMIN), N_("print or reprint notices")),
    "notices.void": ((REVIEWER, ADMIN), N_("void a notice")),
    "payments.record": ((REVIEWER, ADMIN), N_("record payments")),
    "targets.enter": ((CLERK, REVIEWER, ADMIN), N_("enter a target's value")),
    "exchange.export": ((CLERK, REVIEWER, ADMIN), N_("export a package")),
    "exchange.import": ((CLERK, ADMIN), N_("import a package")),
    "exchange.register": ((ADMIN,), N_("register another office's key")),
    "exchange.reply": ((REVIEWER, ADMIN), N_("accept or return a county's submission")),
    "users.manage": ((ADMIN,), N_("manage user accounts")),
    "office.settings": ((ADMIN,), N_("change the office settings")),
    "measures.install": ((ADMIN,), N_("install a local measure")),
    "backups.restore": ((ADMIN,), N_("restore a backup")),
    "backups.make": ((CLERK, REVIEWER, ADMIN), N_("make a backup")),
}

# actions that write nothing into the database: allowed while it is open for reading only
READS = frozenset({"backups.make"})


def role_label(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


def allowed(role: str | None, action: str) -> bool:
    roles, _label = PERMISSIONS[action]
    return role in roles


def action_label(action: str) -> str:
    return _(PERMISSIONS[action][1])
