"""The CLI verbs, one module per area. Each module has ``register(sub)`` adding its parsers; a
parser's ``func(args)`` returns the exit code. ``desktop.cli`` wires them up and handles errors."""

MODULES = (
    "desktop.commands.basic",     # office, load, list, backup, restore, policies
    "desktop.commands.records",   # delete, merge-enterprise
    "desktop.commands.engine",    # compute, targets, compare
    "desktop.commands.notices",   # notices, summary, verify-notice
    "desktop.commands.rounds",    # round compute/show/submit/approve/return
    "desktop.commands.exchange",  # export, verify-package, import, register-office, consolidate
    "desktop.commands.audit",     # audit-verify
    "desktop.commands.users",     # users, user-add, user-set
    "desktop.commands.payments",  # payment record/reverse/show/list/import/totals
    "desktop.commands.publicity",  # publicity start/print/object/close/show/setting, refusals
    "desktop.commands.transfer",  # migrate-db
)
