"""zh_TW is zh_CN in traditional characters with only software words in Taiwan's usage: the conversion
keeps an officer's words whole (项目, 代码, 审核, 声明 …) and every zh_TW string keeps its placeholders."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
BRACES = re.compile(r"\{[^{}]*\}")
PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrfix%]")


def _catalogs():
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "i18n" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _read(locale: str):
    with open(ROOT / "i18n" / locale / "LC_MESSAGES" / "stdaward.po", "rb") as fh:
        return read_po(fh)


def _placeholders(text: str) -> tuple[list[str], list[str]]:
    """The names of the str.format fields and the %-conversions of ``text`` (doubled braces are literal
    braces; a field's conversion may differ: “{value}” for English's ``{value!r}``)."""
    fields = BRACES.findall(text.replace("{{", "").replace("}}", ""))
    return sorted(re.split(r"[!:]", f[1:-1])[0] for f in fields), sorted(PERCENT.findall(text))


def _strings(msg) -> list[str]:
    return [msg.string] if isinstance(msg.string, str) else list(msg.string)


@pytest.fixture(scope="module")
def to_tw():
    return _catalogs().to_tw


@pytest.mark.parametrize("cn, tw", [
    # a 项目 is a 項目 and a 代码 a 代碼, also where a phrase table would cut across the word
    ("正在统计第 3 项目标（共 9 项）", "正在統計第 3 項目標（共 9 項）"),
    ("《{policy}》中没有这项目标", "《{policy}》中沒有這項目標"),
    ("市级标准化试点项目", "市級標準化試點項目"),
    ("标准化示范项目", "標準化示範項目"),
    ("不重复项数", "不重複項數"),
    ("统一社会信用代码", "統一社會信用代碼"),
    ("行政区划代码 {code}", "行政區劃代碼 {code}"),
    ("请修改后重新导出该年度数据报送。", "請修改後重新匯出該年度資料報送。"),
    ("没有 {file} 的访问权限", "沒有 {file} 的存取權限"),
    ("已删除 {n} 个中断操作遗留的临时文件", "已刪除 {n} 個中斷操作遺留的臨時檔案"),
    # an officer's words stay the words of the mainland text
    ("本轮奖补退回重新审核", "本輪獎補退回重新審核"),
    ("企业标准自我声明公开", "企業標準自我聲明公開"),
    ("成果类型", "成果類型"),
    ("发布日期", "發布日期"),
    ("自 DATE 之后不再适用（文件未规定失效日期时）", "自 DATE 之後不再適用（文件未規定失效日期時）"),
    ("莆田市城厢区市场监督管理局", "莆田市城廂區市場監督管理局"),
    ("全国专业标准化技术委员会秘书处", "全國專業標準化技術委員會秘書處"),
    ("发文字号前缀", "發文字號字首"),
    ("公示期满后拨付奖补资金，印发通知书", "公示期滿後撥付獎補資金，印發通知書"),
    # 信息 is 資訊, except in the name of the national credit publicity system
    ("单位信息", "單位資訊"),
    ("国家企业信用信息公示系统", "國家企業信用信息公示系統"),
    # software words in Taiwan's usage
    ("打开数据库所在的文件夹", "開啟資料庫所在的資料夾"),
    ("打印通知书", "列印通知書"),
    ("默认：用户数据文件夹", "預設：使用者資料資料夾"),
    ("写入 U 盘", "寫入隨身碟"),
])
def test_conversion_keeps_words_whole(to_tw, cn, tw):
    assert to_tw(cn) == tw


def test_catalogue_is_the_conversion_of_zh_cn(to_tw):
    """A zh_TW string that is not the conversion of its zh_CN string is a stale or hand-cut one: fix the word
    in TW_WORDS (i18n/catalogs.py) and run 'python i18n/catalogs.py fill-tw-all'."""
    cn = _read("zh_CN")
    stale = []
    for msg in _read("zh_TW"):
        src = cn.get(msg.id) if msg.id else None
        if src is None or not src.string:
            continue
        want = [to_tw(s) for s in _strings(src)]
        if _strings(msg) != want:
            stale.append((msg.id, _strings(msg), want))
    assert stale == []


def test_every_zh_tw_string_keeps_its_placeholders():
    bad = []
    for msg in _read("zh_TW"):
        if not msg.id or not msg.string:
            continue
        ids = [msg.id] if isinstance(msg.id, str) else list(msg.id)
        for s in _strings(msg):
            if all(_placeholders(i) != _placeholders(s) for i in ids):
                bad.append((ids[0], s))
    assert bad == []


@pytest.mark.parametrize("msgid, text", [
    ("{n} of {total}", "{n} 共 total}"),       # a brace lost
    ("{n} of {total}", "{n} 共 {總數}"),         # a field renamed
    ("argument %(name)s: %(msg)s", "參數 %(name)s：%(訊息)s"),
    ("missing: %s", "缺少："),
])
def test_a_broken_placeholder_is_seen(msgid, text):
    assert _placeholders(msgid) != _placeholders(text)
