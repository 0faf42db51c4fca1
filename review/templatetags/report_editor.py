"""The report editor's repeated fragments, built in Python rather than by nested template loops.

The guidance beside each of the 15 elements (its points and their numbered factors, about
150 rows in all) was the editor's largest template cost: the same rows rendered through two
nested ``{% for %}`` loops per element. Built here with ``format_html_join`` (escaped), it
costs a fraction of that (bench/bench_editor.py).
"""

from django import template
from django.utils.html import format_html_join

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
