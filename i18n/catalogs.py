#!/usr/bin/env python3
"""Message catalogues with babel: extract → update → (translate) → compile.

    python i18n/catalogs.py extract   scan desktop/ for _() and N_() into i18n/stdaward.pot
    python i18n/catalogs.py update    merge the .pot into each locale's .po (new strings empty)
    python i18n/catalogs.py fill-tw   fill empty zh_TW strings from zh_CN (OpenCC s2tw + TW_WORDS)
    python i18n/catalogs.py fill-tw-all  convert every zh_TW string again (after TW_WORDS changed)
    python i18n/catalogs.py compile   .po → .mo (done by dev.py and the build)
    python i18n/catalogs.py apply F   set zh_CN strings from a JSON object {msgid: translation}
    python i18n/catalogs.py fill-en   en strings are the msgids themselves
    python i18n/catalogs.py check     list strings zh_CN or zh_TW does not translate yet
    python i18n/catalogs.py pending   extract, update, then apply every i18n/pending/*.json (zh_CN),
                                      fill zh_TW (to_tw) and en, compile, and remove the applied files
    python i18n/catalogs.py all       extract, update, compile

Catalogues are edited as .po files (any PO editor); translations never live in code. zh_TW is the exception:
it is zh_CN converted (see TW_WORDS), so a wrong zh_TW word is corrected in TW_WORDS, then fill-tw-all.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POT = HERE / "stdaward.pot"
LOCALES = ("zh_CN", "zh_TW", "en")


def _po(locale: str) -> Path:
    return HERE / locale / "LC_MESSAGES" / "stdaward.po"


def _babel(*argv: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *argv])


def extract() -> None:
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)  # source references in the catalogues relative to the repository
    try:
        _babel("extract", "-F", str(HERE / "babel.cfg"), "-k", "_", "-k", "N_", "-k", "ngettext:1,2",
               "--sort-by-file", "--no-wrap", "--project", "StdAward", "-o", str(POT), "desktop")
    finally:
        os.chdir(cwd)


def update() -> None:
    for loc in LOCALES:
        po = _po(loc)
        if po.exists():
            _babel("update", "-i", str(POT), "-o", str(po), "-l", loc, "--no-wrap", "--no-fuzzy-matching")
        else:
            po.parent.mkdir(parents=True, exist_ok=True)
            _babel("init", "-i", str(POT), "-o", str(po), "-l", loc, "--no-wrap")


def compile_all() -> None:
    for loc in LOCALES:
        po = _po(loc)
        if not po.exists():
            continue
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        _babel("compile", "-i", str(po), "-o", str(mo), "-l", loc, "--use-fuzzy")


def _read(path: Path):
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        return read_po(fh)


def _write(path: Path, cat) -> None:
    from babel.messages.pofile import write_po

    tmp = path.with_suffix(".po.part")
    with open(tmp, "wb") as fh:
        write_po(fh, cat, width=0, sort_by_file=True)
    tmp.replace(path)


# zh_TW is zh_CN in traditional characters (OpenCC s2tw: characters and Taiwan's glyph variants only,
# no phrase swaps) with the words below put in Taiwan's usage. OpenCC's s2twp phrase table is not used:
# it cuts words across their boundary (项目标 → 專案標, 统一社会信用代码 → 統一社會信用程式碼, 数据报送 →
# 資料包送, 访问权限 → 訪問許可權) and swaps words an officer's text needs as they are (审核 → 稽核,
# 声明 → 宣告, 类型 → 型別). Readers are officers of a mainland office reading traditional script: legal
# and official terms stay the same words (统一社会信用代码, 项目, 审核, 公示, 发文字号, 声明, 类型,
# 参数, 权限, 对象); only software words take Taiwan's (檔案, 資料庫, 列印, 預設, 使用者, 伺服器 …), and
# 信息 is 資訊 throughout except in the name of the 国家企业信用信息公示系统.
# Keys are in traditional characters (s2tw's output); the longest key at a place wins, and an entry that
# maps to itself keeps a longer word whole. Change a word here, then: catalogs.py fill-tw-all.
TW_WORDS: dict[str, str] = {
    # files and folders (a 文件 that is a document, as in 按文件规定, stays 文件)
    "文件夾": "資料夾", "文件名": "檔名", "文件": "檔案", "文檔": "文件",
    "文件規定": "文件規定", "文件未規定": "文件未規定",
    # data, database, information
    "數據": "資料",
    "信息": "資訊", "信用信息公示": "信用信息公示",
    # actions of a program
    "打開": "開啟", "保存": "儲存", "導入": "匯入", "導出": "匯出", "打印": "列印", "打印機": "印表機",
    "添加": "新增", "查看": "檢視", "搜索": "搜尋", "查找": "搜尋", "刷新": "重新整理", "運行": "執行",
    "創建": "建立", "加載": "載入", "發送": "傳送", "點擊": "點選", "默認": "預設", "設置": "設定",
    "內置": "內建", "鏈接": "連結", "連接": "連線", "登錄": "登入", "命令行": "命令列",
    # the program, its window and its settings
    "程序": "程式", "窗口": "視窗", "界面": "介面", "視圖": "檢視", "幫助": "說明", "屏幕": "螢幕",
    "圖標": "圖示", "字體": "字型", "前綴": "字首", "變量": "變數", "腳本": "指令碼", "源代碼": "原始碼",
    "用戶": "使用者", "用戶名": "使用者名稱", "賬戶": "帳戶", "賬號": "帳號", "支持": "支援",
    "服務器": "伺服器", "端口": "埠", "網絡": "網路", "密鑰": "金鑰", "哈希": "雜湊", "全局": "全域",
    # text and numbers in a file
    "字符串": "字串", "字符": "字元", "字節": "位元組", "字段": "欄位", "數組": "陣列", "進制": "進位制",
    # disks
    "磁盤": "磁碟", "硬盤": "硬碟", "光盤": "光碟", "移動硬盤": "行動硬碟", "寫保護": "防寫",
    "U盤": "隨身碟", "U 盤": "隨身碟", " U 盤": "隨身碟", "內存": "記憶體",
    # other
    "聯繫": "聯絡", "發佈": "發布", "訪問": "存取", "驅動器": "磁碟機",
    "箇中": "個中",  # s2tw reads 个中断 as 箇中斷 (箇中, "therein")
}


@functools.lru_cache(maxsize=1)
def _tw_converter():
    import re

    import opencc  # the i18n extra of pyproject.toml

    chars = opencc.OpenCC("s2tw")
    words = re.compile("|".join(re.escape(k) for k in sorted(TW_WORDS, key=len, reverse=True)))

    def convert(text: str) -> str:
        return words.sub(lambda m: TW_WORDS[m.group(0)], chars.convert(text))

    return convert


def to_tw(text: str) -> str:
    """``text`` (zh_CN) as zh_TW: see TW_WORDS."""
    return _tw_converter()(text)


def fill_tw(everything: bool = False) -> None:
    """Fill empty zh_TW strings from zh_CN (``everything``: convert every string again)."""
    conv = _tw_converter()
    cn, tw = _read(_po("zh_CN")), _read(_po("zh_TW"))
    n = 0
    for msg in tw:
        if msg.id and (everything or not msg.string):
            src = cn.get(msg.id)
            if src is not None and src.string:
                if isinstance(src.string, str):
                    new = conv(src.string)
                else:
                    new = tuple(conv(s) for s in src.string)
                if new != msg.string:
                    msg.string = new
                    n += 1
    _write(_po("zh_TW"), tw)
    print(f"zh_TW: {n} strings filled from zh_CN")


def apply(path: str, locale: str = "zh_CN") -> None:
    import json

    table = json.loads(Path(path).read_text("utf-8"))
    cat = _read(_po(locale))
    n = 0
    for msg in cat:
        if msg.id and isinstance(msg.id, str) and table.get(msg.id):
            msg.string = table[msg.id]
            msg.flags.discard("fuzzy")
            n += 1
    _write(_po(locale), cat)
    print(f"{locale}: {n} strings set")


def fill_en() -> None:
    cat = _read(_po("en"))
    for msg in cat:
        if msg.id and not msg.string:
            msg.string = msg.id if isinstance(msg.id, str) else tuple(msg.id)
    _write(_po("en"), cat)


def untranslated(locale: str = "zh_CN") -> list[str]:
    return [m.id for m in _read(_po(locale)) if m.id and not m.string]


def pending() -> None:
    """Translations delivered beside a change (``i18n/pending/NAME.json``: {msgid: zh_CN}), so that
    parallel branches never edit the .po files at once: merged here in one go."""
    files = sorted((HERE / "pending").glob("*.json"))
    extract()
    update()
    for f in files:
        apply(str(f), "zh_CN")
    fill_tw()
    fill_en()
    compile_all()
    for f in files:
        f.unlink()
    left = untranslated("zh_CN")
    if left:
        print(f"zh_CN: {len(left)} strings still untranslated, first: {left[:5]}")


def main(argv: list[str]) -> int:
    verb = argv[0] if argv else "all"
    if verb in ("extract", "all"):
        extract()
    if verb in ("update", "all"):
        update()
    if verb in ("fill-tw", "fill-tw-all"):
        fill_tw(everything=verb == "fill-tw-all")
    if verb == "fill-en":
        fill_en()
    if verb == "apply":
        apply(argv[1], argv[2] if len(argv) > 2 else "zh_CN")
    if verb == "pending":
        pending()
    if verb in ("compile", "all"):
        compile_all()
    if verb == "check":
        missing = untranslated("zh_CN") + untranslated("zh_TW")
        for m in missing:
            print("untranslated:", m)
        return 1 if missing else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
