"""R5: the page's live counter (static/js/charcount.js, run in node) and the server count alike."""

import json
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

from review.services.limits import EDGE_SPACE, char_count, normalize_text

NODE_RUNNER = """
const fs = require("fs");
const vm = require("vm");
const sandbox = {};
sandbox.globalThis = sandbox;
vm.runInNewContext(fs.readFileSync(process.argv[1], "utf8"), sandbox);
const strings = JSON.parse(fs.readFileSync(0, "utf8"));
const api = sandbox.zhengaiCharCount;
process.stdout.write(JSON.stringify(strings.map((s) => [api.count(s), api.normalize(s)])));
"""


def _strings() -> list[str]:
    named = ["\ufeff", "\u0085", "\u001f", "\u00a0", "\u3000", "\u2028", "\u200b", "\u180e"]
    samples = [
        "",
        "我校质量目标明确。",
        "\ufeff我校\ufeff",
        "  \u0085第一段\r\n第二段\r第三段\u001f ",
        "\u3000\u3000首行缩进的段落\u3000",
        "表情😀与组合字符é",
        "\t\n\x0b\x0c\r \n",
    ]
    # Every code point that is a space to either language or just beside one, at both ends.
    edge = sorted(set(EDGE_SPACE) | set(named) | {chr(c) for c in range(0, 0x21)})
    edge += [chr(c) for c in range(0x2000, 0x2070)] + ["\ufeff", "\ufffe", "\u00ad"]
    samples += [f"{c}字{c}" for c in edge] + [f"{c}{c}" for c in edge] + [f"字{c}字" for c in edge]
    return samples


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_r5_the_page_and_the_server_count_every_string_alike():
    strings = _strings()
    script = settings.BASE_DIR / "static" / "js" / "charcount.js"
    result = subprocess.run(
        ["node", "-e", NODE_RUNNER, str(script)],
        input=json.dumps(strings),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    page = json.loads(result.stdout)
    mismatches = [
        (s, counted, char_count(s))
        for s, (counted, normalized) in zip(strings, page, strict=True)
        if counted != char_count(s) or normalized != normalize_text(s)
    ]
    assert not mismatches, mismatches[:10]


def test_r5_edge_characters_are_trimmed_and_inner_ones_counted():
    assert char_count("\ufeff字\ufeff") == 1
    assert char_count("\u0085字\u001f") == 1
    assert char_count("字\ufeff字") == 3
    assert char_count("a\r\nb") == 3
    assert sys.maxunicode > 0xFFFF and char_count("😀") == 1
