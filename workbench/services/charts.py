"""Charts drawn on the server as SVG geometry: pure functions, no database, no script.

Each function returns plain numbers for a template to draw with SVG elements and classes
from the static stylesheet (the CSP forbids inline styles). Every chart is shown beside a
table with the same numbers, for screen readers and for print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

# The report states in the order they stack, with the label the legend and the table use.
REPORT_SERIES = [
    ("filed", "已备案"),
    ("submitted", "已提交"),
    ("draft", "草稿"),
    ("not_started", "未开始"),
]
VERDICT_SERIES = [
    ("effective", "有效"),
    ("needs_improvement", "待改进"),
    ("abnormal", "异常"),
]


def _n(value: float) -> str:
    """A coordinate as SVG text: no locale's decimal comma, no template localisation."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass
class Segment:
    key: str
    label: str
    value: int
    x: str
    width: str


@dataclass
class Bar:
    label: str
    total: int
    y: int
    segments: list[Segment] = field(default_factory=list)
    text_y: str = "0"
    end_x: str = "0"
    cells: list[int] = field(default_factory=list)  # the table's row: a value per series


@dataclass
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    series: list[tuple[str, str]]
    legend_y: float


def stacked_bars(
    rows: list[tuple[str, dict[str, int]]],
    series: list[tuple[str, str]],
    *,
    width: int = 360,
    label_width: int = 48,
    bar_height: int = 18,
    gap: int = 8,
) -> BarChart:
    """Horizontal stacked bars, one per row; the longest total fills the plot's width."""
    plot = width - label_width - 48  # room for the total after the bar
    top = 28  # the legend sits above the bars
    most = max((sum(values.get(k, 0) for k, _ in series) for _, values in rows), default=0)
    scale = plot / most if most else 0
    bars = []
    for i, (label, values) in enumerate(rows):
        y = top + i * (bar_height + gap)
        x = float(label_width)
        bar = Bar(label=label, total=sum(values.get(k, 0) for k, _ in series), y=y)
        bar.cells = [values.get(k, 0) for k, _ in series]
        for key, name in series:
            value = values.get(key, 0)
            if value:
                w = value * scale
                bar.segments.append(Segment(key, name, value, _n(x), _n(w)))
                x += w
        bar.text_y = _n(y + bar_height * 0.75)
        bar.end_x = _n(x + 4)
        bars.append(bar)
    height = top + len(rows) * (bar_height + gap) + 4
    return BarChart(bars, width, height, label_width, bar_height, series, legend_y=14)


def legend(series: list[tuple[str, str]], *, x0: int = 0, step: int = 64) -> list[dict]:
    """Legend swatches in one row above the chart."""
    return [
        {"key": key, "label": label, "x": x0 + i * step, "text_x": x0 + i * step + 16}
        for i, (key, label) in enumerate(series)
    ]


@dataclass
class HeatCell:
    x: int
    y: int
    state: str  # yes / no / none
    title: str


@dataclass
class HeatRow:
    code: str
    name: str
    failures: int
    checked: int
    y: int
    text_y: int
    cells: list[HeatCell] = field(default_factory=list)

    @property
    def share(self) -> int:
        """Percent of re-checked schools whose self-diagnosis was found consistent here."""
        return round(100 * (self.checked - self.failures) / self.checked) if self.checked else 0


@dataclass
class Heatmap:
    rows: list[HeatRow]
    columns: list[dict]
    width: int
    height: int
    label_width: int
    cell: int
    top: int


STATE_TEXT = {"yes": "相符", "no": "不相符", "none": "未评议"}


def heatmap(
    elements: list[tuple[str, str]],
    schools: list[tuple[int, str]],
    results: dict[int, dict[str, bool | None]],
    *,
    totals: dict[str, tuple[int, int]] | None = None,
    cell: int = 14,
    label_width: int = 168,
    top: int = 8,
    names_height: int = 0,
) -> Heatmap:
    """Elements (rows) × schools (columns); the elements failing most often on top.

    ``results``: school id → element code → consistent (True/False/None). Columns keep the
    order of ``schools``; rows are sorted by failures, most first, then by code.
    """
    failures = {code: 0 for code, _ in elements}
    checked = {code: 0 for code, _ in elements}
    if totals is not None:  # counted by the database: (judged, not consistent) per element
        for code, (judged, failed) in totals.items():
            if code in failures:
                checked[code], failures[code] = judged, failed
    else:
        for by_code in results.values():
            for code, consistent in by_code.items():
                if code in failures and consistent is not None:
                    checked[code] += 1
                    failures[code] += consistent is False
    order = sorted(elements, key=lambda e: (-failures[e[0]], e[0]))
    grid_top = top + names_height
    rows = []
    for i, (code, name) in enumerate(order):
        y = grid_top + i * cell
        row = HeatRow(code, name, failures[code], checked[code], y, y + cell - 3)
        for j, (pk, school_name) in enumerate(schools):
            value = results.get(pk, {}).get(code)
            state = "none" if value is None else ("yes" if value else "no")
            row.cells.append(
                HeatCell(
                    x=label_width + j * cell,
                    y=y,
                    state=state,
                    title=f"{school_name} · {code} {name}：{STATE_TEXT[state]}",
                )
            )
        rows.append(row)
    columns = [
        {"name": name, "x": label_width + j * cell + cell // 2 + 4, "y": top + names_height - 4}
        for j, (_, name) in enumerate(schools)
    ]
    width = label_width + max(len(schools), 1) * cell + 8
    height = grid_top + len(order) * cell + 8
    return Heatmap(rows, columns, width, height, label_width, cell, top)


def heatmap_svg(heat: Heatmap, *, title_id: str = "heat-title") -> str:
    """The heatmap as SVG markup, escaped here: thousands of cells are drawn in one pass.

    A template loop over 7,500 cells costs far more than the page's queries; this is the
    same markup, written directly.
    """
    side = heat.cell - 1
    parts = [
        f'<svg class="heat" viewBox="0 0 {heat.width} {heat.height}" width="{heat.width}" '
        f'height="{heat.height}" role="img" aria-labelledby="{title_id}">',
        f'<title id="{title_id}">各校各诊断要素复核结果（汇总数据见下方表格）</title>',
    ]
    for col in heat.columns:
        name = escape(col["name"] if len(col["name"]) <= 16 else col["name"][:15] + "…")
        x, y = col["x"], col["y"]
        parts.append(
            f'<text class="col-label" x="{x}" y="{y}" transform="rotate(-90 {x} {y})">{name}</text>'
        )
    for row in heat.rows:
        label = row.name if len(row.name) <= 9 else row.name[:8] + "…"
        text = f"{escape(row.code)} {escape(label)}"
        parts.append(f'<text class="bar-label" x="0" y="{row.text_y}">{text}</text>')
        parts.extend(
            f'<rect class="hm-{c.state}" x="{c.x}" y="{c.y}" width="{side}" height="{side}">'
            f"<title>{escape(c.title)}</title></rect>"
            for c in row.cells
        )
    parts.append("</svg>")
    return "".join(parts)
