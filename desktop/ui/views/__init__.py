"""The views of the main window, registered in one place: (name, label, factory).

To add a view, append a ``ViewSpec`` to ``VIEWS``: ``name`` is what ``--view NAME`` and the code use,
``label`` is marked with ``N_()`` and translated where shown, ``factory`` is "module:Class" (imported
the first time the view is opened, so start-up stays fast) or any callable ``(ctx) -> View``.
The order of ``VIEWS`` is the order of the side navigation and of the Ctrl+1..9 shortcuts. A view
with ``needs`` shows only to a user whose role allows that action; the window drops it when another
user signs in.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.i18n import N_

Factory = str | Callable[..., object]


@dataclass(frozen=True)
class ViewSpec:
    name: str
    label: str  # N_() msgid
    factory: Factory
    needs: str | None = None  # the action (desktop.operations.roles) a user must be allowed to see the view

    def create(self, ctx):
        if isinstance(self.factory, str):
            module, _sep, attr = self.factory.partition(":")
            return getattr(importlib.import_module(module), attr)(ctx)
        return self.factory(ctx)


VIEWS: list[ViewSpec] = [
    ViewSpec("overview", N_("Overview"), "desktop.ui.views.overview:OverviewView"),
    ViewSpec("enterprises", N_("Enterprises"), "desktop.ui.views.enterprises:EnterprisesView"),
    ViewSpec("achievements", N_("Achievements"), "desktop.ui.views.achievements:AchievementsView"),
    ViewSpec("rounds", N_("Award rounds"), "desktop.ui.views.rounds:RoundsView"),
    ViewSpec("notices", N_("Notices"), "desktop.ui.views.notices:NoticesView"),
    ViewSpec("targets", N_("Targets"), "desktop.ui.views.targets:TargetsView"),
    ViewSpec("policies", N_("Policies"), "desktop.ui.views.policies:PoliciesView"),
    ViewSpec("exchange", N_("Exchange"), "desktop.ui.views.exchange:ExchangeView"),
    ViewSpec("audit", N_("Audit log"), "desktop.ui.views.audit:AuditView"),
    ViewSpec("users", N_("Users"), "desktop.ui.views.users:UsersView", needs="users.manage"),
    ViewSpec("settings", N_("Settings"), "desktop.ui.views.settings:SettingsView"),
]


def register(spec: ViewSpec, before: str | None = None) -> None:
    """Add a view (replacing one of the same name), optionally before another one."""
    for i, v in enumerate(VIEWS):
        if v.name == spec.name:
            VIEWS[i] = spec
            return
    names = [v.name for v in VIEWS]
    VIEWS.insert(names.index(before) if before in names else len(VIEWS), spec)


def spec(name: str) -> ViewSpec:
    for v in VIEWS:
        if v.name == name:
            return v
    raise KeyError(name)
