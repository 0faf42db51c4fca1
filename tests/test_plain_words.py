"""Rule ids (R4, R10, R14…) are for code, tests and docs, never in what people read: no
template and no user-facing string carries one. Where a rule matters, the page says it in
words and links the plan's clause in the column."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.template import Context, Template

from zhengai.templatetags.portal import clause_label

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["accounts", "disclosure", "indicators", "notices", "review", "schools",
            "statedata", "workbench", "zhengai"]  # fmt: skip
RULE_ID = re.compile(r"(?<![A-Za-z0-9_])R\d{1,2}(?![0-9])")
CJK = re.compile(r"[\u4e00-\u9fff]")
COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)


def test_no_template_shows_a_rule_id():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = COMMENTS.sub("", path.read_text(encoding="utf-8"))
        for number, line in enumerate(text.splitlines(), 1):
            if RULE_ID.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert found == []


def _docstrings(tree) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def test_no_chinese_message_or_label_carries_a_rule_id():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docs = _docstrings(tree)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docs
                    and CJK.search(node.value)
                    and RULE_ID.search(node.value)
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]}")
    assert found == []


@pytest.mark.parametrize(
    "anchor, label",
    [("s4-2-3", "四（二）3"), ("s4-3", "四（三）"), ("s4-1-1", "四（一）1"), ("a2", "附件2")],
)
def test_a_clause_is_named_as_the_plan_names_it(anchor, label):
    assert clause_label(anchor) == label


def test_the_clause_tag_links_the_plan_in_the_column():
    html = Template('{% load portal %}{% clause "s4-2-3" %}').render(Context())
    assert html == (
        '（见<a href="/column/documents/fujian-zhengai-plan/#s4-2-3">实施方案四（二）3</a>）'
    )
