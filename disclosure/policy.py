"""The policy text as the column publishes it: corrected, structured, with anchors.

Pure Python (no database): ``correct`` turns the shipped text (an OCR transcription) into the
published text and lists every change with its reason; ``parse`` cuts a published text into
sections, clauses and tables, each with a stable anchor (``#s4-2-1`` is 四、(二) 1.), so other
pages can link to a clause.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

NUMERALS = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨"


@dataclass(frozen=True)
class Correction:
    """One kind of change from the shipped text to the published one."""

    before: str
    after: str
    reason: str
    count: int

    def as_dict(self) -> dict:
        return asdict(self)


# Literal slips of the transcription: (before, after, why).
_LITERAL = [
    (
        "内部质量保证体系 诊断与改进工作实施方案\n\n(修订稿)",
        "内部质量保证体系诊断与改进工作实施方案（修订稿）",
        "标题被识别成两行并在中间多出空格，合为一行。",
    ),
    (
        "思想 and 党的十九大精神",
        "思想和党的十九大精神",
        "识别软件把“和”输出成英文“and”。",
    ),
    ("质量标准 and 制度", "质量标准和制度", "识别软件把“和”输出成英文“and”。"),
    ("保证体系 and 可持续", "保证体系和可持续", "识别软件把“和”输出成英文“and”。"),
    ("相符 \\geq 12 项", "相符 ≥12 项", "数学符号“≥”被识别成排版代码“\\geq”。"),
    ("相符 $<$ 10 项", "相符 <10 项", "数学符号“<”被识别成排版代码“$<$”。"),
    (
        "工作报告》\n(参考格式见附件 3)；",
        "工作报告》(参考格式见附件 3)；",
        "同一项材料被断成两行，合为一行。",
    ),
    ("- 附:\n", "附:\n", "附件目录前多出列表符号“-”。"),
    ("\n 2. ", "\n2. ", "附件目录行首多出空格。"),
    ("\n 3. ", "\n3. ", "附件目录行首多出空格。"),
    ("\n 4. ", "\n4. ", "附件目录行首多出空格。"),
    (
        "诊断与改进 专家委员会名单",
        "诊断与改进专家委员会名单",
        "附件4标题中间多出空格。",
    ),
    (
        "生活生活配套设施",
        "生活配套设施",
        "“生活”重复了一次（附件1 诊断点“安全与生活保障”②）。",
    ),
    (
        "5.2 质量事故管控\t\t\t\n\n\t5.3",
        "5.2 质量事故管控\t\t\t\n\t5.3",
        "附件3表格中间多出空行。",
    ),
]

_HALF_WIDTH = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "："})

ANNEX1_HEAD = "诊断项目\t诊断要素\t诊断点\t影响因素\t数据管理平台相应编号"


def annex1_rows(system: dict) -> list[str]:
    """附件1 as tab-separated lines, one per 诊断点, from the indicator-system data.

    The data file is checked clause by clause against the shipped text (tests/indicators),
    so the rebuilt table says what the text says, in cells that are whole again.
    """
    lines = [ANNEX1_HEAD]
    for project in system["projects"]:
        for e_index, element in enumerate(project["elements"]):
            for p_index, point in enumerate(element["points"]):
                factors = "".join(
                    CIRCLED[f["number"] - 1] + f["text"].replace("生活生活", "生活")
                    for f in point["factors"]
                )
                cells = [
                    f"{project['code']} {project['name']}" if e_index == p_index == 0 else "",
                    f"{element['code']} {element['name']}" if p_index == 0 else "",
                    point["name"],
                    factors,
                    "/".join(point.get("platform_refs") or []),
                ]
                lines.append("\t".join(cells))
    return lines


def _visible(text: str) -> str:
    """A snippet as the corrections table shows it: line breaks as ⏎, a leading space as ␣."""
    shown = text.strip("\n").replace("\n", "⏎").replace("\t", " ")
    return "␣" + shown[1:] if shown.startswith(" ") else shown


def correct(original: str, system: dict) -> tuple[str, list[Correction]]:
    """The published text of the shipped plan, and the list of what was changed and why."""
    text = original.replace("\r\n", "\n").strip()
    corrections: list[Correction] = []
    for before, after, reason in _LITERAL:
        count = text.count(before)
        if not count:
            continue
        text = text.replace(before, after)
        shown, shown_after = _visible(before), _visible(after)
        if corrections and corrections[-1].reason == reason:  # one line per kind of slip
            last = corrections.pop()
            shown, shown_after = f"{last.before} / {shown}", f"{last.after} / {shown_after}"
            count += last.count
        corrections.append(Correction(shown, shown_after, reason, count))

    # 附件1: cells broken by spaces, stray <p> tags and shifted columns → rebuilt table.
    start = text.index(ANNEX1_HEAD)
    end = text.index("\n注：1. 本表设")
    broken = text[start:end]
    text = text[:start] + "\n".join(annex1_rows(system)) + "\n" + text[end:]
    corrections.append(
        Correction(
            "1 体系 总体 构架 / 质量保 证规 划 / <p>①…</p> / 5.2 质量事故管控（缺列）",
            "每个诊断点一行、单元格完整的表格",
            "附件1 表格在识别时被拆散：单元格内换行变成空格，混入网页标签<p>，"
            "部分行缺列或错位（如“保 证”单独成行），“3.4/4/5.1/5.2 6”等编号缺斜杠。"
            "按诊断项目、诊断要素、诊断点重排，文字与原文逐字核对。",
            broken.count("\n") + 1,
        )
    )

    # Half-width brackets and commas in Chinese prose (not inside the tables).
    lines, changed = [], 0
    for line in text.split("\n"):
        if "\t" not in line:
            new = line.translate(_HALF_WIDTH)
            new = re.sub(r"^(（[一二三四五六七八九十\d]+）) ", r"\1", new)
            new = re.sub(r" （", "（", new).replace("2017-2020 年", "2017—2020年")
            changed += sum(1 for ch in line if ch in "(),:")
            line = new
        lines.append(line)
    text = "\n".join(lines)
    if changed:
        corrections.append(
            Correction(
                "(四) / (见附件2) / 重视, / 附:",
                "（四） / （见附件2） / 重视， / 附：",
                "中文正文中的半角括号、逗号、冒号改为全角，与正文其余部分一致。",
                changed,
            )
        )
    return text, corrections


# --- structure ------------------------------------------------------------------------------


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    lines: list[str] = field(default_factory=list)


@dataclass
class Row:
    cells: list[Cell]
    anchor: str = ""


@dataclass
class Block:
    """A heading, a paragraph, a list of names or a table, in reading order."""

    kind: str  # "h2", "h3", "p", "names", "table"
    text: str = ""
    anchor: str = ""
    label: str = ""  # the clause number printed in bold: "（一）", "1."
    names: list[str] = field(default_factory=list)
    head: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


@dataclass
class TocEntry:
    level: int
    anchor: str
    text: str


@dataclass
class Structure:
    title: str
    blocks: list[Block]
    toc: list[TocEntry]

    @property
    def anchors(self) -> list[str]:
        found = [b.anchor for b in self.blocks if b.anchor]
        for block in self.blocks:
            found += [row.anchor for row in block.rows if row.anchor]
        return found


_L1 = re.compile(rf"^([{NUMERALS}]+)、(.+)$")
_L2 = re.compile(rf"^（([{NUMERALS}]+)）(.*)$")
_L3 = re.compile(r"^(\d+)\.\s*(.*)$")
_L4 = re.compile(r"^（(\d+)）(.*)$")
_ANNEX = re.compile(r"^附件\s*(\d+)$")
_YEAR = re.compile(rf"^[{NUMERALS}]、(\d{{4}}) ?年(.+)$")


def _numeral(text: str) -> int:
    return NUMERALS.index(text) + 1 if len(text) == 1 else 10 + NUMERALS.index(text[-1]) + 1


def _short(text: str, limit: int = 18) -> str:
    """A clause's name for the contents: its first sentence, or its start."""
    head = re.split(r"[。；：]", text, maxsplit=1)[0]
    return head if len(head) <= limit else head[:limit] + "…"


def _table(lines: list[str], anchor_prefix: str) -> Block:
    """Tab-separated lines as a table; an empty leading cell continues the cell above."""
    head = lines[0].split("\t")
    width = len(head)
    rows: list[Row] = []
    open_cells: list[Cell | None] = [None] * width
    for line in lines[1:]:
        values = (line.split("\t") + [""] * width)[:width]
        row: list[Cell] = []
        for col, value in enumerate(values):
            value = value.strip()
            if col < 2 and not value and open_cells[col] is not None:
                open_cells[col].rowspan += 1
                continue
            parts = re.split(rf"(?=[{CIRCLED}])", value)
            cell = Cell(value, lines=[p for p in parts if p])
            open_cells[col] = cell
            row.append(cell)
        code = re.match(r"^(\d+)\.(\d+) ", values[1].strip())
        anchor = f"{anchor_prefix}-{code.group(1)}-{code.group(2)}" if code else ""
        rows.append(Row(row, anchor))
    return Block("table", head=head, rows=rows)


def parse(text: str) -> Structure:
    """Sections, clauses, annexes and tables of a published policy text, with anchors.

    Anchors: ``s4`` (四、), ``s4-2`` (四、(二)), ``s4-2-1`` (its 1.), ``s4-2-2-3`` (its (3));
    ``a1``… (附件1…), ``a1-2-1`` (附件1 row of 诊断要素 2.1), ``a2-2017`` (附件2's year),
    ``a3-1-1`` (附件3 row of 1.1).
    """
    # Spaces go, tabs stay: a leading tab is an empty table cell.
    lines = [line.strip(" \r") for line in text.split("\n")]
    lines = [line for line in lines if line.strip()]
    title, blocks, toc = lines[0], [], []
    n = m = k = 0
    annex = 0
    in_list = False  # the 附： list of annexes
    i = 1
    while i < len(lines):
        line = lines[i]
        annex_match = _ANNEX.match(line)
        if annex_match:
            annex, in_list = int(annex_match.group(1)), False
            annex_title = lines[i + 1] if i + 1 < len(lines) else ""
            blocks.append(Block("h2", annex_title, f"a{annex}", label=f"附件{annex}"))
            toc.append(TocEntry(1, f"a{annex}", f"附件{annex}　{annex_title}"))
            i += 2
            continue
        if "\t" in line:
            table_lines = []
            while i < len(lines) and "\t" in lines[i]:
                table_lines.append(lines[i])
                i += 1
            blocks.append(_table(table_lines, f"a{annex}"))
            continue
        if annex:
            year = _YEAR.match(line) if annex == 2 else None
            if year:
                anchor = f"a2-{year.group(1)}"
                blocks.append(Block("h3", f"{year.group(1)}年{year.group(2)}", anchor))
                toc.append(TocEntry(2, anchor, f"{year.group(1)}年"))
                names = []
                i += 1
                while i < len(lines) and lines[i].endswith(("学院", "学校")):
                    names.append(lines[i])
                    i += 1
                blocks.append(Block("names", names=names))
                continue
            if annex == 4 and re.match(r"^.{2,5}（.+）$", line):
                names = []
                while i < len(lines) and re.match(r"^.{2,5}（.+）$", lines[i]):
                    names.append(lines[i])
                    i += 1
                blocks.append(Block("names", names=names))
                continue
            heading = _L1.match(line)
            blocks.append(Block("h3", line) if heading else Block("p", line))
            i += 1
            continue
        if line == "附：":
            in_list = True
            blocks.append(Block("p", line))
            i += 1
            continue
        if in_list:
            # An entry of the list of annexes links to the annex ("label" holds its anchor).
            item = _L3.match(line)
            if item:
                blocks.append(Block("annex-link", item.group(2), label=f"a{item.group(1)}"))
            else:
                blocks.append(Block("p", line))
            i += 1
            continue
        if match := _L1.match(line):
            n, m, k = _numeral(match.group(1)), 0, 0
            blocks.append(Block("h2", match.group(2), f"s{n}", label=f"{match.group(1)}、"))
            toc.append(TocEntry(1, f"s{n}", line))
        elif match := _L2.match(line):
            m, k = _numeral(match.group(1)), 0
            anchor, rest = f"s{n}-{m}", match.group(2)
            label = f"（{match.group(1)}）"
            if len(rest) <= 20 and "。" not in rest:
                blocks.append(Block("h3", rest, anchor, label=label))
            else:
                blocks.append(Block("p", rest, anchor, label=label))
            toc.append(TocEntry(2, anchor, label + _short(rest)))
        elif (match := _L3.match(line)) and n:
            k = int(match.group(1))
            anchor = f"s{n}-{m}-{k}"
            blocks.append(Block("p", match.group(2), anchor, label=f"{k}."))
            toc.append(TocEntry(3, anchor, f"{k}. " + _short(match.group(2))))
        elif (match := _L4.match(line)) and n:
            anchor = f"s{n}-{m}-{k}-{match.group(1)}"
            blocks.append(Block("li", match.group(2), anchor, label=f"（{match.group(1)}）"))
        else:
            blocks.append(Block("p", line))
        i += 1
    return Structure(title=title, blocks=blocks, toc=toc)
