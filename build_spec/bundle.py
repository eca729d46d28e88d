"""What goes into the frozen folder and what is left out: the lists ``stdaward.spec`` builds from.

Kept apart from the spec so the tests can check them without running PyInstaller:

* :func:`data_files` — policies, resources (fonts, icons, templates, demo) and the compiled ``.mo``
  catalogues, as PyInstaller ``(source, dest_dir)`` pairs, Picard-style (``.mo`` gathered in a function).
* :data:`EXCLUDES` — modules the program never imports, so PyInstaller's hooks do not drag them in.
* :func:`keep_data` / :func:`keep_binary` — prune what the hooks collect anyway: babel locale data
  other than Chinese/English, python-stdnum's tables for other countries' numbers, Qt translations
  other than zh_CN/zh_TW, Qt plugins a widgets program that prints PDFs does not load, and Qt's
  software OpenGL renderer on Windows.
* :func:`drop_unreferenced` / :func:`drop_dangling_symlinks` — on Linux, the system libraries that
  only pruned plugins linked to.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path, PurePath

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# The program's own locales (desktop.core.i18n.LOCALES) and the babel locale-data files they load:
# babel resolves zh_CN → zh_Hans_CN → zh_Hans → zh → root, zh_TW → zh_Hant_TW → zh_Hant → zh → root.
LOCALES = ("zh_CN", "zh_TW", "en")
BABEL_LOCALES = frozenset({"zh_CN", "zh_Hans_CN", "zh_Hans", "zh", "zh_Hant", "zh_TW", "zh_Hant_TW",
                           "en", "root"})
QT_TRANSLATION_LOCALES = ("zh_CN", "zh_TW")
QT_TRANSLATION_CATALOGUES = ("qt", "qtbase")  # qt_xx.qm is a meta catalogue that loads qtbase_xx.qm

# Packages whose every submodule goes in, because they are imported by name at run time where
# PyInstaller's analysis cannot see it: the CLI's verb modules (desktop.commands.MODULES), and
# reportlab's barcode widgets (``widgets.py`` imports code128 & co. from strings; the QR code on
# every notice is one of them).
HIDDEN_PACKAGES = ("desktop", "reportlab.graphics.barcode")

# Modules the program does not use. Most are never reached by the import graph anyway; listing them
# stops a hook or a stray optional import from pulling them (and their Qt libraries) in.
QT_EXCLUDES = [
    "PySide6." + m for m in (
        "QtWebEngineCore", "QtWebEngineWidgets", "QtWebEngineQuick", "QtWebChannel", "QtWebSockets",
        "QtWebView", "QtQml", "QtQuick", "QtQuickWidgets", "QtQuickControls2", "QtQuick3D",
        "QtPdfQuick", "Qt3DCore", "Qt3DRender", "Qt3DInput", "Qt3DLogic", "Qt3DAnimation", "Qt3DExtras",
        "QtMultimedia", "QtMultimediaWidgets", "QtSpatialAudio", "QtTextToSpeech",
        "QtDataVisualization", "QtGraphs", "QtLocation", "QtPositioning", "QtSensors", "QtSerialPort",
        "QtSerialBus", "QtBluetooth", "QtNfc", "QtRemoteObjects", "QtScxml", "QtStateMachine",
        "QtDesigner", "QtHelp", "QtUiTools", "QtTest", "QtSql", "QtOpenGL", "QtOpenGLWidgets",
        "QtHttpServer", "QtAxContainer", "QtNetworkAuth", "QtDBus",
    )
]
PY_EXCLUDES = [
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib",
    "unittest", "doctest", "pydoc_data", "lib2to3",  # not pydoc: python-stdnum imports it
    "pytest", "_pytest", "pytestqt", "hypothesis", "pluggy", "iniconfig",
    "PyQt5", "PyQt6", "PySide2",
    "IPython", "numpy", "pandas", "matplotlib", "scipy",
    # Pillow is there for reportlab's PNG/JPEG images; not its AVIF/WebP codecs (libavif, libwebp),
    # colour management, or its Tk/Qt bridges
    "PIL._avif", "PIL.AvifImagePlugin", "PIL._webp", "PIL.WebPImagePlugin", "PIL._imagingcms",
    "PIL.ImageCms", "PIL._imagingtk", "PIL.ImageTk", "PIL.ImageQt", "PIL.ImageShow",
]
EXCLUDES = QT_EXCLUDES + PY_EXCLUDES

# Qt plugin folders kept (everything else under PySide6/Qt/plugins is dropped). platforms: the window
# system (windows, xcb, wayland, offscreen); styles: the native Windows look; imageformats and
# iconengines: PNG/ICO/SVG icons; printsupport: the print dialog; platformthemes: native file dialogs.
QT_PLUGIN_DIRS = frozenset({"platforms", "styles", "imageformats", "iconengines", "printsupport",
                            "platformthemes", "platforminputcontexts", "xcbglintegrations",
                            "generic", "wayland-shell-integration", "wayland-decoration-client",
                            "wayland-graphics-integration-client"})
# Within kept folders: image formats the program never reads.
QT_PLUGIN_DROP = ("qtga", "qtiff", "qwbmp", "qwebp", "qicns", "qpdf", "qjp2", "qmng", "qdirect2d",
                  "qvnc", "qlinuxfb", "qminimal", "qeglfs", "qminimalegl", "qvkkhrdisplay",
                  "qtvirtualkeyboard",  # the on-screen keyboard needs Qt Quick
                  "qgtk3")  # GTK theme: drags in GTK's stack, and loads the system's GTK over ours
# Qt libraries nothing in the program links to once the modules above are excluded; and Windows'
# software OpenGL (opengl32sw.dll, ~20 MB), which only Quick/OpenGL content falls back to.
QT_LIB_DROP = ("opengl32sw", "Qt6Quick", "Qt6Qml", "Qt6WebEngine", "Qt63D", "Qt6Multimedia",
               "Qt6Designer", "Qt6Test", "Qt6Sql", "Qt6VirtualKeyboard", "Qt6PdfQuick",
               "Qt6EglFS")  # the EGL full-screen platform (embedded boards)


def compile_catalogues() -> None:
    """``.po`` → ``.mo`` with the project's own tool (only stale ones are rebuilt)."""
    subprocess.run([sys.executable, str(ROOT / "i18n" / "catalogs.py"), "compile"], check=True, cwd=ROOT)


def locale_messages() -> list[tuple[str, str]]:
    """The compiled catalogues as ``(i18n/<loc>/LC_MESSAGES/stdaward.mo, i18n/<loc>/LC_MESSAGES)``.
    A locale whose ``.mo`` is missing is an error: the frozen program would silently speak English."""
    out = []
    for loc in LOCALES:
        mo = ROOT / "i18n" / loc / "LC_MESSAGES" / "stdaward.mo"
        if not mo.is_file():
            raise FileNotFoundError(f"{mo} is missing: run `python i18n/catalogs.py compile` first")
        out.append((str(mo), f"i18n/{loc}/LC_MESSAGES"))
    return out


def _tree(folder: str, skip_suffixes: tuple[str, ...] = (".py", ".pyc", ".md")) -> list[tuple[str, str]]:
    """Every file under ``ROOT/folder`` with its destination folder (same relative layout)."""
    base = ROOT / folder
    out = []
    for f in sorted(base.rglob("*")):
        if not f.is_file() or "__pycache__" in f.parts or f.suffix in skip_suffixes or f.name.startswith("."):
            continue
        out.append((str(f), str(PurePath(folder) / f.parent.relative_to(base)).replace("\\", "/")))
    return out


def data_files() -> list[tuple[str, str]]:
    """Policies, resources and catalogues. Licence texts under resources/fonts travel with the fonts
    (their ``.txt``/``.md`` are kept there)."""
    policies = _tree("policies")
    if not any(src.endswith(".toml") for src, _ in policies):
        raise FileNotFoundError(f"no policy files in {ROOT / 'policies'}")
    resources = _tree("resources", skip_suffixes=(".py", ".pyc"))
    return policies + resources + locale_messages()


def _parts(dest: str) -> tuple[str, ...]:
    return PurePath(dest.replace("\\", "/")).parts


def keep_data(dest: str) -> bool:
    """Filter for ``Analysis.datas`` entries (destination path, relative to the bundle)."""
    parts = _parts(dest)
    if len(parts) >= 3 and parts[0] == "babel" and parts[1] == "locale-data" and dest.endswith(".dat"):
        return PurePath(parts[-1]).stem in BABEL_LOCALES  # (its LICENSE.unicode stays)
    if parts[0] == "stdnum" and dest.endswith(".dat"):  # Chinese credit codes and region names (cn/loc.dat) only
        return len(parts) > 2 and parts[1] == "cn"  # (oui.dat, imsi.dat & co. are 2 MB)
    if "translations" in parts and parts[0] == "PySide6" and dest.endswith(".qm"):
        stem = PurePath(parts[-1]).stem  # qtbase_zh_CN
        cat, _, loc = stem.partition("_")
        return cat in QT_TRANSLATION_CATALOGUES and loc in QT_TRANSLATION_LOCALES
    return True


def keep_binary(dest: str) -> bool:
    """Filter for ``Analysis.binaries`` entries (destination path, relative to the bundle)."""
    parts = _parts(dest)
    name = parts[-1]
    if "plugins" in parts and parts[0] == "PySide6":
        i = parts.index("plugins")
        if len(parts) > i + 2:
            folder = parts[i + 1]
            if folder not in QT_PLUGIN_DIRS:
                return False
            base = name.split(".")[0].removeprefix("lib")
            return not base.startswith(QT_PLUGIN_DROP)
    base = name.removeprefix("lib")
    return not base.startswith(QT_LIB_DROP)


def prune(entries, keep) -> list:
    """Entries (PyInstaller TOC tuples ``(dest, src, kind)``) that ``keep(dest)`` accepts."""
    return [e for e in entries if keep(e[0])]


def _is_root(entry) -> bool:
    """Binaries loaded by Python or by Qt's plugin loader rather than linked: where linking starts."""
    dest, _src, kind = entry
    name = PurePath(dest).name.lower()
    return (kind == "EXTENSION" or "plugins" in _parts(dest)
            or name.startswith(("libpython", "python3")))


def drop_unreferenced(binaries, imports_of) -> list:
    """Keep the binaries reachable by link-time imports from Python extensions, Qt plugins and the
    Python library; drop the rest. On Linux PyInstaller collects the system libraries of every plugin
    it analysed (GTK, cairo and pango for the GTK theme plugin), and they stay behind after the plugin
    itself is pruned. ``imports_of(src)`` names the libraries a binary links (PyInstaller's
    ``bindepend.get_imports``)."""
    by_name: dict[str, list] = {}
    for e in binaries:
        by_name.setdefault(PurePath(e[0]).name.lower(), []).append(e)
    reached: set[tuple] = set()
    stack = [e for e in binaries if _is_root(e)]
    while stack:
        e = stack.pop()
        if e in reached:
            continue
        reached.add(e)
        for name in imports_of(e[1]):
            stack.extend(by_name.get(PurePath(name).name.lower(), ()))
    return [e for e in binaries if e in reached]


def drop_dangling_symlinks(datas, binaries) -> list:
    """Remove ``SYMLINK`` entries (PyInstaller 6 links ``libQt6Gui.so.6`` → ``PySide6/Qt/lib/…``)
    whose target was pruned, so the folder holds no broken links."""
    present = {PurePath(e[0]).as_posix() for e in binaries} | {PurePath(e[0]).as_posix() for e in datas
                                                                 if e[2] != "SYMLINK"}

    def target(e) -> str:
        return os.path.normpath(os.path.join(os.path.dirname(e[0]), e[1])).replace("\\", "/")

    return [e for e in datas if e[2] != "SYMLINK" or target(e) in present]
