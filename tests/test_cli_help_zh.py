"""The command line's help and its refusal of a mistyped command read in the officer's language from
the first word to the last: argparse's own words (用法, 选项, -h's line, "invalid choice") come from
the program's catalogue like the verbs' help, for every verb."""
from __future__ import annotations

import argparse
import re

import pytest
from conftest import run_main

ZH = {"STDAWARD_LANG": "zh_CN"}


def _columns(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
ARGPARSE_ENGLISH = ("usage:", "options:", "positional arguments", "show this help message and exit", "error:",
                    "invalid choice", "the following arguments are required")


def _verbs() -> list[tuple[str, ...]]:
    from desktop.cli import build_parser

    found: list[tuple[str, ...]] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        found.append(path)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    return found


VERBS = _verbs()


@pytest.mark.parametrize("path", VERBS, ids=lambda p: " ".join(p) or "stdaward")
def test_every_verbs_help_is_in_chinese_with_argparses_words_too(path):
    r = run_main(*path, "--help", env=ZH)
    assert r.returncode == 0 and r.stdout.startswith("用法：stdaward"), r.stdout[:200]
    assert "显示本帮助并退出" in r.stdout
    assert not [w for w in ARGPARSE_ENGLISH if w in r.stdout], r.stdout
    headings = [ln for ln in r.stdout.splitlines() if ln and not ln.startswith(" ") and ln.endswith(("：", ":"))]
    assert "选项：" in headings and not [h for h in headings if h.endswith(":")], headings  # 选项：, never 选项:
    # each option's sentence starts at one column, however much Chinese its name holds (「--user 用户名」)
    starts = {_columns(m.group(1)) for m in (re.match(r"(  -\S.*?\S {2,})\S", ln) for ln in r.stdout.splitlines()) if m}
    assert len(starts) <= 1, (starts, r.stdout)


def test_a_mistyped_command_or_a_missing_argument_is_refused_in_chinese():
    assert len(VERBS) > 40  # every verb and sub-verb was walked
    r = run_main("round", "shw", env=ZH)
    assert r.returncode == 2 and "无效的选择：'shw'" in r.stderr and "'show'" in r.stderr, r.stderr
    r = run_main("round", "show", env=ZH)
    assert r.returncode == 2 and "缺少以下参数：round" in r.stderr, r.stderr
    assert not [w for w in ARGPARSE_ENGLISH if w in r.stderr], r.stderr


def test_in_english_argparse_keeps_its_own_words():
    r = run_main("round", "show", "--help", env={"STDAWARD_LANG": "en"})
    assert r.returncode == 0 and r.stdout.startswith("usage: stdaward") and "show this help message" in r.stdout
    assert "\noptions:\n" in r.stdout and "：" not in r.stdout


def test_every_option_of_every_verb_says_what_it_is_for():
    """No bare "--json" or "--out FILE" line in a help page: each option has its sentence."""
    from desktop.cli import build_parser

    bare: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))
            elif action.option_strings and not action.help:
                bare.append(f"{' '.join(path)} {action.option_strings[-1]}")

    walk(build_parser(), ())
    assert bare == []
