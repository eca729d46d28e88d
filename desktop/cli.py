"""``stdaward``: the command-line face of StdAward (and the GUI launcher).

With no verb it opens the GUI. Exit codes: 0 done; 2 bad input (each bad record named on stderr
with its id and field, nothing written); 1 anything else, with a one-line reason.

Opening the GUI is the common case and must be quick: when the arguments hold only the global
options, the verbs' modules are not imported and their parsers not built (that took ~100 ms, most
of it ``importlib.metadata`` for ``--version``), and Python's cyclic garbage collector is paused
until the window has painted (``desktop.ui.app.resume_gc``).
"""
from __future__ import annotations

import argparse
import codecs
import gc
import importlib
import io
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.core.i18n import N_, _, colon, columns, set_locale

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2


class _Version(argparse.Action):
    """``--version``, reading the installed metadata only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kw: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kw)

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option_string: Any = None) -> None:
        from desktop import __version__

        print(f"StdAward {__version__}")
        parser.exit()


def global_options() -> argparse.ArgumentParser:
    """The options that come before any verb (and all the GUI takes)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--version", action=_Version, help=_("show the version and exit"))
    p.add_argument("--db", help=_("the office database (default: STDAWARD_DB or the user data folder)"))
    p.add_argument("--lang", help=_("language: zh_CN, zh_TW or en"))
    p.add_argument("--user", metavar=_("NAME"),
                   help=_("sign in as this user (needed for changes when the database has accounts)"))
    p.add_argument("--password-file", metavar=_("FILE"),
                   help=_("read the password from the first line of this file (for scripts); otherwise it is asked for"))
    p.add_argument("--screenshot", metavar="FILE.png", help=_("render the main window to a PNG and exit"))
    p.add_argument("--view", help=_("with --screenshot: the view to render"))
    p.add_argument("--demo", action="store_true", help=_("open the demo database (created on first use)"))
    p.add_argument("--self-test", action="store_true", help=_("check the installation and exit"))
    # benchmarks/bench_gui.py: once the window has painted, show these views (comma-separated), then
    # print "ready" with their row counts and quit; the start is timed the way an officer starts it.
    p.add_argument("--startup-probe", metavar="VIEWS", help=argparse.SUPPRESS)
    return p


def gui_args(argv: list[str]) -> argparse.Namespace | None:
    """The parsed global options when ``argv`` opens the GUI (no verb, no help or version), else None."""
    if any(a in ("-h", "--help", "--version") for a in argv):
        return None
    try:
        args, rest = global_options().parse_known_args(argv)
    except SystemExit:  # a bad option value: the full parser says what is wrong
        return None
    # a package or workbook given alone (double-clicked in Explorer, dropped on the shortcut) opens the
    # window with that file in its import
    args.files = rest if rest and all(_opens_in_gui(a) for a in rest) else []
    return None if (rest and not args.files) or args.self_test else args


def _opens_in_gui(arg: str) -> bool:
    return not arg.startswith("-") and arg.lower().endswith((".stdpkg", ".xlsx", ".xls"))


# argparse's own words (the usage line, the option groups, -h, its refusals of a command line): it
# looks each up through its module's ``_`` when it prints; the program's catalogue answers instead, so
# they read in the officer's language like the rest of the help.
ARGPARSE_WORDS = (
    N_("usage: "), N_("options"), N_("positional arguments"), N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"), N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"), N_("one of the arguments %s is required"), N_("not allowed with argument %s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
)


class _Formatter(argparse.HelpFormatter):
    """argparse's help with each option's sentence starting at the same column when its name holds
    Chinese (「--user 用户名」): argparse pads by characters, and a Chinese character takes two columns."""

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        header = self._format_action_invocation(action)
        wider = columns(header) - len(header)
        first, newline, rest = text.partition("\n")
        at = first.find(header)
        if not wider or not action.help or at < 0 or not first[at + len(header):].strip():
            return text
        tail = first[at + len(header):]
        pad = len(tail) - len(tail.lstrip(" "))
        if pad - wider >= 2:
            first = first[:at + len(header)] + " " * (pad - wider) + tail.lstrip(" ")
        else:  # no room left on the line: the sentence below it, where argparse puts a long name's
            column = min(self._action_max_length + 2, self._max_help_position)
            first = first[:at + len(header)] + "\n" + " " * column + tail.lstrip(" ")
        return first + newline + rest


class Parser(argparse.ArgumentParser):
    """argparse's parser, its help's section headings («位置参数：», «选项：») ending in the officer's
    language's colon: argparse writes a half-width one after each; its options' sentences aligned
    however much Chinese their names hold (``_Formatter``). A command's own parser is of this class
    too (``add_subparsers`` makes its parsers of the class it is called on)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def format_help(self) -> str:
        text = super().format_help()
        mark = colon().strip()
        if mark == ":":
            return text
        return re.sub(r"^(\S[^\n]*):$", lambda m: m.group(1) + mark, text, flags=re.MULTILINE)


def build_parser() -> argparse.ArgumentParser:
    from desktop.commands import MODULES

    argparse._ = _  # type: ignore[attr-defined]  # argparse's words through the catalogue (ARGPARSE_WORDS)
    p = Parser(
        prog="stdaward", parents=[global_options()],
        description=_("StdAward: standardization awards for county quality bureaus. "
                      "Without a command the desktop program opens."))
    sub = p.add_subparsers(dest="verb", metavar=_("command"))
    for name in MODULES:
        importlib.import_module(name).register(sub)
    return p



_NEAREST = {"\u00a5": "\uffe5", "\u00b7": "\u30fb", "\u2022": "\u30fb"}  # ¥ and · are not in GBK; ￥ and ・ are


def _console_replace(exc: UnicodeError) -> tuple[str, int]:
    """Encoding error handler for a legacy console: the nearest character it has, else ``?``."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start:exc.end]:
        near = _NEAREST.get(ch, "?")
        try:
            near.encode(exc.encoding)
        except UnicodeError:
            near = "?"
        out.append(near)
    return "".join(out), exc.end


codecs.register_error("stdaward-console", _console_replace)


def fit_stream(stream: Any, utf8: bool = False) -> None:
    """Make a console stream unable to fail on a character its encoding lacks (GBK has neither ¥ nor 𠮷).

    A legacy code page (cp936 when a Windows console is redirected: ``stdaward compute > file.txt``)
    is kept, since Excel's text import and Notepad on a Chinese Windows read it as it is, and a
    character it cannot hold becomes the nearest one it has (¥ → ￥) or ``?``. ``utf8`` (``--json``,
    read by programs) switches to UTF-8, which holds everything. The Windows console itself is
    already UTF-8 in Python.
    """
    if not isinstance(stream, io.TextIOWrapper):
        return
    try:
        if codecs.lookup(stream.encoding).name == "utf-8":
            return
        if utf8:
            stream.reconfigure(encoding="utf-8", errors="strict")
        else:
            stream.reconfigure(errors="stdaward-console")
    except (LookupError, ValueError, OSError):  # closed or detached stream, unknown codec name
        return


def start_log() -> None:
    """The rotating log file in the data folder (GUI and command line alike)."""
    from desktop.store import logfile
    from desktop.store.paths import data_dir

    logfile.setup(data_dir())


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    fit_stream(sys.stdout, utf8="--json" in argv)
    fit_stream(sys.stderr)
    start_log()
    set_locale(_peek(argv, "--lang") or os.environ.get("STDAWARD_LANG"))
    try:
        gui = gui_args(argv)
        if gui is not None:
            return open_gui(gui)
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.self_test:
            from desktop.selftest import run_self_test

            return run_self_test()
        if args.verb is None:
            return open_gui(args)
        return int(args.func(args) or 0)
    except ValidationFailed as exc:
        for prob in exc.problems:
            if prob.severity == "error":
                print(_("error: {record} · {field}: {message}").format(
                    record=prob.record, field=prob.field, message=prob.message), file=sys.stderr)
        return EXIT_BAD_INPUT
    except StdAwardError as exc:
        print(_("error: {reason}").format(reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__),
              file=sys.stderr)
        return getattr(exc, "exit_code", EXIT_FAIL)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return EXIT_FAIL
    except Exception as exc:  # noqa: BLE001 - the user gets one line, developers the traceback
        logging.getLogger("desktop.cli").error("%s failed", " ".join(argv[:1]) or "stdaward", exc_info=exc)
        if os.environ.get("STDAWARD_DEBUG"):
            raise
        plain = plain_failure(exc, argv)
        if plain is not None:
            print(_("error: {reason}").format(reason=plain), file=sys.stderr)
            return EXIT_FAIL
        print(_("error: unexpected {kind}: {reason} (set STDAWARD_DEBUG=1 for details)").format(
            kind=type(exc).__name__, reason=exc), file=sys.stderr)
        return EXIT_FAIL


def plain_failure(exc: BaseException, argv: list[str]) -> str | None:
    """A plain sentence for a failure the machine caused (full disk, read-only media, permission,
    damaged database, memory), naming the file and what to do; None for anything else."""
    from desktop.core import failures

    if isinstance(exc, MemoryError):
        return _("this computer ran out of memory; nothing was changed. Close other programs and try again, "
                 "or split the input into smaller files")
    found = failures.classify(exc)
    if found is None:
        return None
    kind, file = found
    from desktop.store import db as store
    from desktop.store.paths import resolve_db_path

    if kind == failures.READ_ONLY and store.read_only_reason == failures.DISK_FULL:
        kind = failures.DISK_FULL  # opened for reading only because its disk is full, not write-protected

    db = resolve_db_path(_peek(argv, "--db"))
    if kind == failures.DAMAGED:
        from desktop.store.db import damaged

        return str(damaged(db))
    return failures.message(kind, file or db)


def open_gui(args: argparse.Namespace) -> int:
    if args.screenshot:  # rendered offscreen: no display needed (documentation, CI)
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    gc.disable()  # until the window has painted: collecting while Qt and the views load only costs time
    if not (args.demo or args.screenshot):
        from desktop.store import prefetch
        from desktop.store.paths import resolve_db_path

        prefetch.start(resolve_db_path(args.db))  # the default view's costly read, while Qt loads
    try:
        from desktop.ui.app import run_gui  # the only import of the Qt side

        return run_gui(args)
    finally:
        gc.enable()


def _peek(argv: list[str], flag: str) -> str | None:
    for i, a in enumerate(argv):
        if a == flag and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return None


if __name__ == "__main__":
    sys.exit(main())
