"""The words of the achievement vocabulary a user reads: kinds, levels, actions, bodies, prizes,
domains, each with its label (``N_``, translated where shown). Kept apart from ``vocabulary`` (the
parsing and validation) so the window can label its first rows without loading that."""
from __future__ import annotations

from desktop.core.i18n import N_, _

KINDS = ("standard", "secretariat", "prize", "pilot", "leader", "research", "project", "gi",
         "good_behavior", "adoption", "self_declared", "innovation_base")

KIND_LABELS = {
    "standard": N_("Standard drafting"),
    "secretariat": N_("Committee secretariat"),
    "prize": N_("Standards prize"),
    "pilot": N_("Standardization pilot/demonstration"),
    "leader": N_("Enterprise standard \"leader\""),
    "research": N_("Standardization research project"),
    "project": N_("Municipal standardization project"),
    "gi": N_("Geographical indication protection"),
    "good_behavior": N_("Good standardization practice enterprise"),
    "adoption": N_("Adoption of international/foreign standard"),
    "self_declared": N_("Self-declared enterprise standard"),
    "innovation_base": N_("Technical standard innovation base"),
}

# Allowed values of the enumerated fields, with the user-facing label (translated when shown).
STANDARD_LEVELS = ("international", "national", "industry", "local", "group", "enterprise")
LEVEL_LABELS = {
    "international": N_("international"), "national": N_("national"), "industry": N_("industry"),
    "local": N_("local"), "group": N_("group"), "enterprise": N_("enterprise"),
    "provincial": N_("provincial"), "municipal": N_("municipal"),
}
ACTIONS = {"formulate": N_("formulate"), "revise": N_("revise")}
BODIES = {"tc": N_("technical committee (TC)"), "sc": N_("subcommittee (SC)"),
          "wg": N_("working group (WG)")}
PRIZES = {
    "china-innovation": N_("China Standard Innovation Contribution Award"),
    "fujian-contribution": N_("Fujian Standard Contribution Award"),
    "chongqing-innovation": N_("Chongqing Standard Innovation Contribution Award"),
    "chongqing-product": N_("Chongqing Product Standard Award"),
}
DOMAINS = {"agriculture": N_("agriculture"), "service": N_("service"), "industry": N_("industrial"),
           "park": N_("park"), "social": N_("social management"), "general": N_("general")}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def level_label(level: str | None) -> str:
    return _(LEVEL_LABELS.get(level or "", level or ""))
