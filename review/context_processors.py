"""Which section of the navigation the page belongs to, from the workflow's own URL groups."""

from review import urls

# A page re-rendered after a failed post (say 加入专家 on a re-check) keeps its section: the
# map covers every address of a group, not only the pages linked from the navigation.
_SECTIONS = {
    pattern.name: section
    for section, patterns in (
        ("self_diagnosis", urls.self_diagnosis),
        ("rechecks", urls.rechecks + urls.scoring + urls.factual_check),
        ("verdicts", urls.verdicts + urls.appeals),
    )
    for pattern in patterns
}


def nav_section(request):
    match = getattr(request, "resolver_match", None)
    if match is None or match.app_name != "review":
        return {"nav_section": ""}
    return {"nav_section": _SECTIONS.get(match.url_name, "")}
