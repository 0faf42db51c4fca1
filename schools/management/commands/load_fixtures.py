"""Load the seed data: indicator systems, schools, role groups. Loading twice changes nothing."""

from django.core.management.base import BaseCommand

from disclosure.services import load_plan_document
from indicators.services.loading import load_indicator_file
from review.services.rechecks import load_annex2_plan
from schools.services.loading import load_schools_file
from schools.services.people import ensure_role_groups
from zhengai import fixtures


class Command(BaseCommand):
    help = "载入种子数据：指标体系（附件1）、学校名单（附件2/附件4）、角色组。"

    def handle(self, *args, **options):
        lines = []
        for path in fixtures.INDICATOR_FILES:
            system = load_indicator_file(path)
            lines.append(f"指标体系：{system.title}")
        created = load_schools_file(fixtures.SCHOOLS_FILE)
        lines.append(f"学校：新增 {created} 所")
        ensure_role_groups()
        # R7: 附件2's 2017–2020 plan, one re-check per listed school in its planned year.
        cycle = load_annex2_plan()
        # R18: the plan itself is the first document of the disclosure column.
        plan = load_plan_document()
        lines.append(f"专栏：{plan.title}")
        lines.append(f"周期：{cycle.name}（{cycle.rechecks.count()} 所）")
        if options["verbosity"] >= 1:
            for line in lines:
                self.stdout.write(line)
            self.stdout.write(self.style.SUCCESS("种子数据已载入"))
