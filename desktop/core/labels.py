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


def prize_label(prize: str | None) -> str:
    return _(PRIZES.get(prize or "", prize or ""))


PRIZE_GRADES = {"1": N_("first prize"), "2": N_("second prize"), "3": N_("third prize")}


def grade_label(grade: str | None) -> str:
    """A prize's grade in words (三等奖); another grade (a good-behaviour 4A) as it is."""
    return _(PRIZE_GRADES[grade]) if grade in PRIZE_GRADES else (grade or "")


OFFICE_ROLE_LABELS = {"county": N_("county office (sends its packages to the city)"),
                      "city": N_("city or province office (consolidates the packages it receives)")}


def office_role_label(role: str | None) -> str:
    return _(OFFICE_ROLE_LABELS[role]) if role in OFFICE_ROLE_LABELS else (role or "")


# The texts of the publicity wording (the 公示 list's and the 不予奖补告知书's paragraphs), in the
# order the settings dialog and ``stdaward publicity wording`` show them.
PUBLICITY_WORDING_LABELS = {
    "list_opening": N_("Publicity list: opening paragraph"),
    "list_objections": N_("Publicity list: where to send objections"),
    "list_contact": N_("Publicity list: contact"),
    "letter_opening": N_("Letter of refusal: opening paragraph"),
    "letter_review": N_("Letter of refusal: how to ask for a review"),
    "letter_contact": N_("Letter of refusal: contact"),
    "letter_closing": N_("Letter of refusal: closing line"),
    "letter_days": N_("Letter of refusal: working days to ask for a review"),
}


def publicity_wording_label(name: str) -> str:
    return _(PUBLICITY_WORDING_LABELS[name]) if name in PUBLICITY_WORDING_LABELS else name


# The audit log's "who" for the program's own work, when no officer did it: reserved, never a user name.
MIGRATION, AUTOMATIC_BACKUP = "migration", "automatic-backup"
PROGRAM_ACTORS = {MIGRATION: N_("program upgrade"), AUTOMATIC_BACKUP: N_("automatic backup")}


def person_label(display_name: str, username: str) -> str:
    """An account as the screens name it: its full name and, in brackets, the name it signs in with
    (full-width brackets in Chinese, as the status line's)."""
    return _("{name} ({user})").format(name=display_name, user=username)


def actor_label(username: str | None) -> str:
    """Who is named as ``username`` in the audit log, in words for the program's own work."""
    return _(PROGRAM_ACTORS[username]) if username in PROGRAM_ACTORS else (username or "")


# ---------------------------------------------------------------- the Chinese labels
# One source of the Chinese words for the vocabulary, used wherever Chinese is printed or composed
# whatever the interface language: award explanations (merged under policies/common/labels.toml's
# phrases, overridable per policy), notices (desktop.notices.content), the xlsx template
# (desktop.exchange.xlsx) and the policy print-out. The policy texts are Chinese and these words
# are part of the award an officer signs, so they are data, not interface strings.

ZH: dict[str, dict[str, str]] = {
    "kind": {
        "standard": "标准制修订", "secretariat": "标准化技术组织秘书处", "prize": "标准奖项",
        "pilot": "标准化试点示范项目", "leader": "企业标准“领跑者”", "research": "标准化科研项目",
        "project": "市级标准化项目", "gi": "地理标志产品保护", "good_behavior": "标准化良好行为企业",
        "adoption": "采用国际标准和国外先进标准", "self_declared": "企业标准自我声明公开",
        "innovation_base": "企业技术标准创新基地",
    },
    # as in 国家标准, 地方标准 (standards)
    "level": {"international": "国际", "national": "国家", "industry": "行业", "local": "地方", "group": "团体",
              "enterprise": "企业", "provincial": "省级", "municipal": "市级"},
    # as in 国家级试点, 省级“领跑者” (everything that is not a standard)
    "tier": {"international": "国际", "national": "国家级", "provincial": "省级", "municipal": "市级"},
    # as in 全国专业标准化技术委员会 (the committees' own names)
    "committee_level": {"international": "国际", "national": "全国", "provincial": "省级", "municipal": "市级"},
    "action": {"formulate": "制定", "revise": "修订"},
    "body": {"tc": "技术委员会", "sc": "分技术委员会", "wg": "工作组"},
    "prize": {"china-innovation": "中国标准创新贡献奖", "fujian-contribution": "福建省标准贡献奖",
              "chongqing-innovation": "重庆市标准创新贡献奖", "chongqing-product": "重庆市产品标准奖"},
    "grade": {"1": "一等奖", "2": "二等奖", "3": "三等奖"},
    "domain": {"agriculture": "农业", "service": "服务业", "industry": "工业", "park": "园区",
               "social": "社会管理和公共服务", "general": "综合"},
    "accepted": {"true": "已验收", "false": "未验收"},
    "status": {"awarded": "奖补", "not_eligible": "不予奖补", "discretionary": "酌定补助",
               "unspecified": "认可（未定金额）", "duplicate": "重复申报"},
    "count": {"standards": "按不同标准计数（多家企业参与同一标准计一项）",
              "enterprises": "按企业计数（一家企业计一家）",
              "items": "按项计数（同一项目多家企业承担计一项；产品采标、自我声明按企业产品计）",
              "entered": "由主管部门填报数值（记录无法统计）"},
    # field names, as in the xlsx template's label row and in refusals (未填写级别)
    "field": {"id": "成果编号", "enterprise": "企业统一社会信用代码", "kind": "类别", "date": "日期",
              "ref": "标准编号/项目编号", "title": "名称", "evidence": "证明材料", "level": "级别",
              "action": "制修订类别", "rank": "排名", "body": "技术组织类别", "prize": "奖项", "grade": "等级",
              "domain": "领域", "accepted": "是否验收合格", "note": "备注", "units": "起草单位",
              "enterprise_name": "企业名称", "uuid": "全局编号"},
}


def status_label(status: str) -> str:
    return ZH["status"].get(status, "")


def describe_target_count(count: str) -> str:
    return ZH["count"].get(count, "")
