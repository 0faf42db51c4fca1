"""The report editor's repeated fragments, built in Python rather than by nested template loops.

The guidance beside each of the 15 elements (its points and their numbered factors, about
150 rows in all) was the editor's largest template cost: the same rows rendered through two
nested ``{% for %}`` loops per element. Built here with ``format_html_join`` (escaped), it
costs a fraction of that (bench/bench_editor.py).
"""

from html import escape

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def element_guidance(points) -> str:
    """Each point's name, then its factors numbered as 附件1 numbers them (①②③…).

    ``points`` as ``indicators.selectors.ElementGuide.points``: (name, ((number, text), …)).
    """
    return format_html_join(
        "",
        '<p class="point-name">{}</p><ol class="factors">{}</ol>',
        (
            (
                name,
                format_html_join("", "<li>{}{}</li>", factors),
            )
            for name, factors in points
        ),
    )


@register.simple_tag
def element_fields(rows) -> str:
    """An element's three texts (opinion, measures, effects), each with its label, limit,
    counter and error: 45 textareas a report, the editor's largest template cost after the
    guidance (about 15 variables each through the template engine; built here, escaped).

    ``rows`` as ``review.views.report_page._editor_context`` sets ``form.rows``.
    """
    html = []
    for field in rows:
        ident = escape(field["id"])
        limit = int(field["limit"])
        error = field["error"]
        invalid = f' aria-invalid="true" aria-describedby="err-{ident}"' if error else ""
        html.append(
            f'<div class="field">\n'
            f'<label for="{ident}">{escape(field["label"])} <small class="muted">'
            f"（{limit} 字以内）</small></label>\n"
            f'<textarea id="{ident}" name="{ident}" rows="{8 if field["name"] == "opinion" else 4}"'
            f' data-limit="{limit}"{invalid}>{escape(str(field["value"]))}</textarea>\n'
            f'<div class="field-foot"><span class="counter" data-for="{ident}"></span></div>\n'
        )
        if error:
            html.append(
                f'<p class="error" id="err-{ident}" role="alert">{escape(str(error))}</p>\n'
            )
        html.append("</div>\n")
    return mark_safe("".join(html))  # noqa: S308 (every value escaped above)


@register.simple_tag
def jump_list(projects, fields_total: int) -> str:
    """The list of the 15 elements at the top of the editor, each a link to its card with how
    many of its texts are written (``已填完`` when all are)."""
    html = []
    for _, forms in projects:
        for form in forms:
            code, filled = escape(form.element.code), int(form.filled)
            if filled == fields_total:
                css, shown = "ok", "已填完"
            else:
                css, shown = ("warn" if filled else "muted"), f"{filled}/{int(fields_total)}"
            html.append(
                f'<li><a href="#e{code}">{code} {escape(form.element.report_name)}</a> '
                f'<span class="tag {css}">{shown}</span></li>'
            )
    return mark_safe("".join(html))  # noqa: S308 (every value escaped above)
