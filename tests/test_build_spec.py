"""The Windows build's recipe, checked without building: what goes into the folder, what is pruned,
the version files generated from pyproject.toml, and the installer script's promises.

The real build (PyInstaller, then the frozen ``--self-test``) takes a minute: it runs only with
``STDAWARD_BUILD_TEST=1`` (``build_spec/build_linux_check.sh`` is the same thing by hand).
"""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import types
from decimal import Decimal
from pathlib import Path, PurePath

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC_DIR = ROOT / "build_spec"
sys.path.insert(0, str(SPEC_DIR))

import bundle  # noqa: E402
import version_info  # noqa: E402

# ---------------------------------------------------------------- version files

def _load_version_resource(path: Path, monkeypatch):
    """Parse the text with PyInstaller's own loader (its Windows-only pefile import stubbed out)."""
    compat = pytest.importorskip("PyInstaller.compat", reason="PyInstaller is the build extra")
    monkeypatch.setitem(sys.modules, "pefile", types.ModuleType("pefile"))
    monkeypatch.setattr(compat, "win32api", None, raising=False)
    from PyInstaller.utils.win32 import versioninfo

    return versioninfo, versioninfo.load_version_info_from_text_file(str(path))


def test_version_files_follow_pyproject(tmp_path, monkeypatch):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "stdaward"\nversion = "1.2.3rc1"\n', "utf-8")
    paths = version_info.generate(tmp_path / "gen", pyproject)

    _versioninfo, info = _load_version_resource(paths["version_info"], monkeypatch)
    assert info.ffi.fileVersionMS == (1 << 16) | 2 and info.ffi.fileVersionLS == 3 << 16  # 1.2.3.0
    strings = {s.name: s.val for s in info.kids[0].kids[0].kids}
    assert strings["ProductVersion"] == "1.2.3rc1" and strings["FileVersion"] == "1.2.3rc1"
    assert strings["OriginalFilename"] == "StdAward.exe"
    raw = info.toRaw()  # the resource PyInstaller writes into each .exe
    assert "1.2.3rc1".encode("utf-16-le") in raw and "StdAward 标准化奖补管理".encode("utf-16-le") in raw

    iss = paths["iss"].read_bytes()
    assert iss.startswith(b"\xef\xbb\xbf")  # Inno Setup reads a UTF-8 include only with a BOM
    text = iss.decode("utf-8-sig")
    assert '#define AppVersion "1.2.3rc1"' in text and '#define AppVersionQuad "1.2.3.0"' in text


def test_version_from_the_real_pyproject_is_the_packages():
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as fh:
        assert version_info.project_version() == tomllib.load(fh)["project"]["version"]


@pytest.mark.parametrize("bad", ["1.2.3.4.5", "70000.1"])
def test_versions_windows_cannot_hold_are_refused(bad):
    with pytest.raises(ValueError):
        version_info.version_quad(bad)


def test_missing_version_is_named(tmp_path):
    p = tmp_path / "pyproject.toml"
    p.write_text('[project]\nname = "x"\n', "utf-8")
    with pytest.raises(SystemExit, match="no \\[project\\] version"):
        version_info.project_version(p)


# ---------------------------------------------------------------- data in the folder

def test_data_files_carry_policies_resources_and_compiled_catalogues():
    bundle.compile_catalogues()
    files = bundle.data_files()
    dests = {(PurePath(src).name, dest) for src, dest in files}
    for toml in sorted((ROOT / "policies").rglob("*.toml")):
        rel = toml.parent.relative_to(ROOT).as_posix()
        assert (toml.name, rel) in dests, toml
    for loc in ("zh_CN", "zh_TW", "en"):
        assert ("stdaward.mo", f"i18n/{loc}/LC_MESSAGES") in dests
    assert ("demo.json", "resources/demo") in dests
    assert ("stdaward.ico", "resources/icons") in dests and ("stdaward.png", "resources/icons") in dests
    fonts = {name for name, dest in dests if dest == "resources/fonts"}
    assert any(f.endswith((".ttf", ".ttc")) for f in fonts) and "ARPHICPL.TXT" in fonts  # font with its licence
    # sources, caches and .po files stay out
    assert not [s for s, _d in files if s.endswith((".py", ".pyc", ".po")) or "__pycache__" in s]


def test_a_missing_catalogue_stops_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle, "ROOT", tmp_path)
    with pytest.raises(FileNotFoundError, match="catalogs.py compile"):
        bundle.locale_messages()


def test_no_policies_stops_the_build(tmp_path, monkeypatch):
    (tmp_path / "policies").mkdir()
    (tmp_path / "resources").mkdir()
    monkeypatch.setattr(bundle, "ROOT", tmp_path)
    with pytest.raises(FileNotFoundError, match="no policy files"):
        bundle.data_files()


# ---------------------------------------------------------------- pruning

@pytest.mark.parametrize("dest, kept", [
    ("babel/locale-data/zh_Hans_CN.dat", True),
    ("babel/locale-data/zh_Hant_TW.dat", True),
    ("babel/locale-data/en.dat", True),
    ("babel/locale-data/root.dat", True),
    ("babel/locale-data/LICENSE.unicode", True),
    ("babel/locale-data/fr.dat", False),
    ("babel/locale-data/en_GB.dat", False),
    ("babel/locale-data/zh_Hans_SG.dat", False),
    ("babel/global.dat", True),
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
    ("PySide6/Qt/translations/qt_zh_TW.qm", True),
    ("PySide6/translations/qtbase_zh_CN.qm", True),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/translations/qtdeclarative_zh_CN.qm", False),
    ("PySide6/Qt/translations/designer_zh_CN.qm", False),
    ("resources/fonts/uming.ttc", True),
    ("stdnum/cn/loc.dat", True),
    ("stdnum/oui.dat", False),
    ("stdnum/at/postleitzahl.dat", False),
])
def test_keep_data(dest, kept):
    assert bundle.keep_data(dest) is kept


@pytest.mark.parametrize("dest, kept", [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),  # the self-test renders offscreen
    ("PySide6/plugins/platforms/qwindows.dll", True),
    ("PySide6/plugins/platforms/qoffscreen.dll", True),
    ("PySide6/plugins/styles/qmodernwindowsstyle.dll", True),
    ("PySide6/plugins/imageformats/qico.dll", True),
    ("PySide6/plugins/iconengines/qsvgicon.dll", True),
    ("PySide6/plugins/printsupport/windowsprintersupport.dll", True),
    ("PySide6/plugins/imageformats/qwebp.dll", False),
    ("PySide6/plugins/platforms/qdirect2d.dll", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/qmltooling/libqmldbg_debugger.so", False),
    ("PySide6/plugins/tls/qschannelbackend.dll", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ("PySide6/opengl32sw.dll", False),
    ("PySide6/Qt6Quick.dll", False),
    ("PySide6/Qt/lib/libQt6Qml.so.6", False),
    ("PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", False),
    ("PySide6/Qt6Pdf.dll", True),
    ("PySide6/Qt/lib/libQt6Pdf.so.6", True),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ("PySide6/Qt6PrintSupport.dll", True),
    ("libpython3.11.so.1.0", True),
])
def test_keep_binary(dest, kept):
    assert bundle.keep_binary(dest) is kept


def test_kept_babel_data_formats_money_in_every_language(tmp_path, monkeypatch):
    """Only the pruned set of locale files present: each program locale still formats money the same."""
    from babel import localedata

    from desktop.core.money import format_money

    src = Path(localedata._dirname)
    expected = {loc: format_money(Decimal("150000"), loc) for loc in bundle.LOCALES}
    pruned = tmp_path / "locale-data"
    pruned.mkdir()
    for f in src.glob("*.dat"):
        if bundle.keep_data(f"babel/locale-data/{f.name}"):
            shutil.copy(f, pruned / f.name)
    assert len(list(pruned.iterdir())) < 12
    monkeypatch.setattr(localedata, "_dirname", str(pruned))
    monkeypatch.setattr(localedata, "_cache", {})
    from babel.core import Locale

    monkeypatch.setattr(Locale, "_cache", {}, raising=False)
    for loc in bundle.LOCALES:
        assert format_money(Decimal("150000"), loc) == expected[loc]


def test_libraries_nothing_links_to_are_dropped():
    b = [("PySide6/QtGui.abi3.so", "/s/QtGui.abi3.so", "EXTENSION"),
         ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/libQt6Gui.so.6", "BINARY"),
         ("libglib-2.0.so.0", "/s/libglib-2.0.so.0", "BINARY"),
         ("PySide6/Qt/plugins/platforms/libqxcb.so", "/s/libqxcb.so", "BINARY"),
         ("libxcb.so.1", "/s/libxcb.so.1", "BINARY"),
         ("libpango-1.0.so.0", "/s/libpango-1.0.so.0", "BINARY"),  # its plugin (qgtk3) was pruned
         ("libgio-2.0.so.0", "/s/libgio-2.0.so.0", "BINARY"),
         ("libpython3.11.so.1.0", "/s/libpython3.11.so.1.0", "BINARY")]
    links = {"/s/QtGui.abi3.so": ["libQt6Gui.so.6"], "/s/libQt6Gui.so.6": ["libglib-2.0.so.0", "libc.so.6"],
             "/s/libqxcb.so": ["libxcb.so.1"], "/s/libpango-1.0.so.0": ["libgio-2.0.so.0"]}
    kept = [e[0] for e in bundle.drop_unreferenced(b, lambda src: links.get(src, []))]
    assert kept == ["PySide6/QtGui.abi3.so", "PySide6/Qt/lib/libQt6Gui.so.6", "libglib-2.0.so.0",
                    "PySide6/Qt/plugins/platforms/libqxcb.so", "libxcb.so.1", "libpython3.11.so.1.0"]


def test_links_to_pruned_libraries_are_removed():
    binaries = [("PySide6/Qt/lib/libQt6Gui.so.6", "/s/a", "BINARY")]
    datas = [("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
             ("libQt6Qml.so.6", "PySide6/Qt/lib/libQt6Qml.so.6", "SYMLINK"),
             ("resources/demo/demo.json", "/s/demo.json", "DATA")]
    assert [d[0] for d in bundle.drop_dangling_symlinks(datas, binaries)] == ["libQt6Gui.so.6",
                                                                               "resources/demo/demo.json"]


def _program_imports() -> set[str]:
    names = set()
    for p in (ROOT / "desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_nothing_the_program_imports_is_excluded():
    used = _program_imports()
    clash = sorted(m for m in bundle.EXCLUDES
                   if any(u == m or u.startswith(m + ".") for u in used))
    assert clash == [], f"the program imports these, but the spec excludes them: {clash}"


# ---------------------------------------------------------------- the spec itself

class _Recorder:
    """Stands in for PyInstaller's Analysis/PYZ/EXE/COLLECT and keeps what the spec passed."""

    made: list = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        _Recorder.made.append(self)


class _Analysis(_Recorder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pure, self.scripts = [], []
        self.datas = [*((d, s, "DATA") for s, d in kwargs["datas"]),
                      ("babel/locale-data/fr.dat", "/x/fr.dat", "DATA"),
                      ("babel/locale-data/zh_Hans_CN.dat", "/x/zh_Hans_CN.dat", "DATA")]
        self.binaries = [("PySide6/opengl32sw.dll", "/x/opengl32sw.dll", "BINARY"),
                         ("PySide6/QtPdf.pyd", "/x/QtPdf.pyd", "EXTENSION")]


def _exec_spec(monkeypatch) -> dict:
    """Run stdaward.spec as PyInstaller would on Windows (the shipped build), with recorders."""
    pytest.importorskip("PyInstaller", reason="PyInstaller is the build extra")
    monkeypatch.setattr(sys, "platform", "win32")  # also skips the Linux-only ldd-based pass
    _Recorder.made = []
    ns = {"SPECPATH": str(SPEC_DIR), "Analysis": _Analysis, "PYZ": type("PYZ", (_Recorder,), {}),
          "EXE": type("EXE", (_Recorder,), {}), "COLLECT": type("COLLECT", (_Recorder,), {})}
    exec(compile((SPEC_DIR / "stdaward.spec").read_text("utf-8"), "stdaward.spec", "exec"), ns)
    return ns


def test_spec_builds_two_executables_into_one_folder(monkeypatch):
    ns = _exec_spec(monkeypatch)

    analysis = ns["a"]
    assert Path(analysis.args[0][0]) == ROOT / "desktop" / "__main__.py"
    hidden = analysis.kwargs["hiddenimports"]
    assert "desktop.commands.basic" in hidden and "desktop.selftest" in hidden and "desktop.ui.selfcheck" in hidden
    assert "reportlab.graphics.barcode.qr" in hidden and "reportlab.graphics.barcode.code128" in hidden
    assert "PySide6.QtWebEngineCore" in analysis.kwargs["excludes"] and "tkinter" in analysis.kwargs["excludes"]
    assert [d[0] for d in analysis.datas if d[0].startswith("babel")] == ["babel/locale-data/zh_Hans_CN.dat"]
    assert [b[0] for b in analysis.binaries] == ["PySide6/QtPdf.pyd"]

    exes = {e.kwargs["name"]: e.kwargs for e in _Recorder.made if type(e).__name__ == "EXE"}
    assert set(exes) == {"StdAward", "stdaward-cli"}
    assert exes["StdAward"]["console"] is False and exes["stdaward-cli"]["console"] is True
    for kw in exes.values():
        assert kw["exclude_binaries"] is True and kw["upx"] is False
        assert kw["icon"].endswith("stdaward.ico") and Path(kw["icon"]).is_file()
        assert Path(kw["version"]).is_file() and kw["version"].endswith("version_info.txt")
    coll = ns["coll"]
    assert coll.kwargs["name"] == "StdAward" and coll.args[:2] == (ns["gui"], ns["cli"])


def test_debug_switch_gives_the_gui_a_console(monkeypatch):
    monkeypatch.setenv("STDAWARD_BUILD_DEBUG", "1")
    ns = _exec_spec(monkeypatch)
    assert ns["gui"].kwargs["console"] is True and ns["gui"].kwargs["debug"] is True
    assert ns["a"].kwargs["noarchive"] is True


# ---------------------------------------------------------------- the installer script

ISS = SPEC_DIR / "stdaward.iss"


def _iss() -> str:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup needs a BOM to read the Chinese messages"
    return raw.decode("utf-8-sig")


def _section(text: str, name: str) -> str:
    m = re.search(rf"^\[{name}\]\s*$(.*?)(?=^\[\w+\]\s*$|\Z)", text, re.M | re.S)
    assert m, name
    return m.group(1)


def test_installer_is_per_user_chinese_and_versioned_from_pyproject():
    text = _iss()
    setup = _section(text, "Setup")
    assert re.search(r"^PrivilegesRequired=lowest$", setup, re.M)
    assert re.search(r"^DefaultDirName=\{userpf\}\\", setup, re.M)  # %LOCALAPPDATA%\Programs
    assert "AppVersion={#AppVersion}" in setup
    assert '#include "generated\\version.iss"' in text
    langs = [ln for ln in _section(text, "Languages").splitlines() if ln.startswith("Name:")]
    assert "chinesesimplified" in langs[0] and "ChineseIsl" in langs[0]
    icons = _section(text, "Icons")
    assert "{group}\\{#AppDisplayName}" in icons and "{uninstallexe}" in icons


def test_installer_messages_exist_in_both_languages():
    text = _iss()
    defined: dict[str, set[str]] = {}
    for line in _section(text, "CustomMessages").splitlines():
        m = re.match(r"(\w+)\.(\w+)=", line)
        if m:
            defined.setdefault(m.group(2), set()).add(m.group(1))
    used = set(re.findall(r"CustomMessage\('(\w+)'\)", text)) | set(re.findall(r"\{cm:(\w+)", text))
    inno_builtin = {"CreateDesktopIcon", "AdditionalIcons", "UninstallProgram", "LaunchProgram"}
    assert used - inno_builtin <= set(defined), used - inno_builtin - set(defined)
    assert all(langs == {"chinesesimplified", "english"} for langs in defined.values()), defined


def test_uninstaller_keeps_the_data_folder_unless_asked(monkeypatch):
    text = _iss()
    code = _section(text, "Code")
    assert "usPostUninstall" in code and "DelTree(Dir" in code
    # deleting is guarded: a prompt defaulting to No, or an explicit switch when silent
    assert "MB_DEFBUTTON2) = IDYES" in code and "HasSwitch('/DELETEDATA')" in code
    assert not re.search(r"^\[UninstallDelete\]", text, re.M)
    # the folder it offers to delete is the one the program writes: platformdirs' local app data
    assert "ExpandConstant('{localappdata}\\{#AppDataFolder}')" in code
    assert '#define AppDataFolder "StdAward"' in version_info.iss_include_text("0.1.0")
    from platformdirs import windows

    from desktop.store import paths

    asked = []
    monkeypatch.setattr(windows, "get_win_folder", lambda csidl: asked.append(csidl) or "C:\\Local")
    d = windows.Windows(paths.APP_NAME, appauthor=False).user_data_dir
    assert asked == ["CSIDL_LOCAL_APPDATA"] and d == os.path.join("C:\\Local", version_info.APP_NAME)


# ---------------------------------------------------------------- the real build (slow, opt-in)

@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("STDAWARD_BUILD_TEST") != "1",
                    reason="builds with PyInstaller (about a minute): set STDAWARD_BUILD_TEST=1")
def test_linux_build_runs_its_self_test():
    proc = subprocess.run(["bash", str(SPEC_DIR / "build_linux_check.sh")], cwd=ROOT, capture_output=True,
                          text=True, timeout=1200, env=dict(os.environ, STDAWARD_PYTHON=sys.executable))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "(frozen," in out and "all 7 checks passed" in out
    assert (SPEC_DIR / "dist" / "StdAward" / "StdAward").is_file()


def test_a_double_clicked_package_opens_in_the_program():
    """Explorer starts the windowed program with the package's path, which the program opens in its
    import (``cli.gui_args`` takes a lone .stdpkg); registered per user and removed on uninstall."""
    from desktop.cli import gui_args

    text = _iss()
    assert re.search(r"^ChangesAssociations=yes$", _section(text, "Setup"), re.M)
    reg = _section(text, "Registry")
    assert re.search(r'Subkey: "Software\\Classes\\\.stdpkg";.*ValueData: "StdAward\.Package"; Flags: uninsdeletevalue', reg)
    assert re.search(r'Subkey: "Software\\Classes\\StdAward\.Package";.*Flags: uninsdeletekey', reg)
    command = re.search(r'StdAward\.Package\\shell\\open\\command";.*ValueData: (.*)$', reg, re.M).group(1)
    assert command == '"""{app}\\{#AppExeName}"" ""%1"""'
    assert all(ln.startswith("Root: HKA;") for ln in reg.splitlines() if ln.startswith("Root:"))
    assert gui_args([r"E:\县局-2026.stdpkg"]).files == [r"E:\县局-2026.stdpkg"]
