"""``stdaward``: the command-line face of StdAward (and the GUI launcher).

With no verb it opens the GUI. Exit codes: 0 done; 2 bad input (each bad record named on stderr
with its id and field, nothing written); 1 anything else, with a one-line reason.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from typing import Any, Sequence

from desktop import __version__
from desktop.commands import MODULES
from desktop.core.errors import StdAwardError, ValidationFailed
from desktop.core.i18n import _, set_locale

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="stdaward",
        description=_("StdAward: standardization awards for county quality bureaus. "
                      "Without a command the desktop program opens."))
    p.add_argument("--version", action="version", version=f"StdAward {__version__}")
    p.add_argument("--db", help=_("the office database (default: STDAWARD_DB or the user data folder)"))
    p.add_argument("--lang", help=_("language: zh_CN, zh_TW or en"))
    p.add_argument("--screenshot", metavar="FILE.png", help=_("render the main window to a PNG and exit"))
    p.add_argument("--view", help=_("with --screenshot: the view to render"))
    p.add_argument("--demo", action="store_true", help=_("open the demo database (created on first use)"))
    p.add_argument("--self-test", action="store_true", help=_("check the installation and exit"))
    sub = p.add_subparsers(dest="verb", metavar=_("command"))
    for name in MODULES:
        importlib.import_module(name).register(sub)
    return p



def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_locale(_peek(argv, "--lang") or os.environ.get("STDAWARD_LANG"))
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.self_test:
            from desktop.selftest import run_self_test

            return run_self_test()
        if args.verb is None:
            if args.screenshot:  # rendered offscreen: no display needed (documentation, CI)
                os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            from desktop.ui.app import run_gui  # the only import of the Qt side

            return run_gui(args)
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
        if os.environ.get("STDAWARD_DEBUG"):
            raise
        print(_("error: unexpected {kind}: {reason} (set STDAWARD_DEBUG=1 for details)").format(
            kind=type(exc).__name__, reason=exc), file=sys.stderr)
        return EXIT_FAIL


def _peek(argv: list[str], flag: str) -> str | None:
    for i, a in enumerate(argv):
        if a == flag and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return None


if __name__ == "__main__":
    sys.exit(main())
