"""Demo people for trying the portal (R22: every person here is made up).

Idempotent: running it again resets the demo passwords and changes nothing else.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from review.models import Cycle, CycleKind, Recheck
from review.services import panel_assignments
from review.services import rechecks as recheck_service
from review.services import self_diagnosis as report_service
from review.services.self_diagnosis import TextEdit
from schools.models import Expert, ExpertKind, School, User
from schools.roles import Role
from schools.services.people import upsert_person
from statedata.services.demo import seed_demo_statedata

# Demo logins, printed by `make run`. Never used outside development (see handle()).
DEMO_PASSWORD = "zhengai-demo-2026"

DEMO_ACCOUNTS = [
    # username, display name, role, school name (school staff only), admin access
    ("province", "省级演示用户", Role.PROVINCIAL_STAFF, None, True),
    ("school.xmhy", "厦门海洋演示用户", Role.SCHOOL_STAFF, "厦门海洋职业技术学院", False),
    ("school.fjcz", "船政交通演示用户", Role.SCHOOL_STAFF, "福建船政交通职业学院", False),
    ("expert.a", "演示专家甲", Role.EXPERT, None, False),
    ("expert.b", "演示专家乙", Role.EXPERT, None, False),
    ("expert.c", "演示专家丙", Role.EXPERT, None, False),
    ("committee", "演示委员", Role.COMMITTEE, None, False),
]

# The made-up expert pool: name, employer, title, kind, school they work at (if any), login.
DEMO_EXPERTS = [
    (
        "演示专家甲",
        "福州职业技术学院",
        "教务处处长",
        ExpertKind.VOCATIONAL_COLLEGE,
        "福州职业技术学院",
        "expert.a",
    ),
    (
        "演示专家乙",
        "省职业教育研究所（演示）",
        "研究员",
        ExpertKind.EDUCATION_RESEARCH,
        None,
        "expert.b",
    ),
    (
        "演示专家丙",
        "某智能制造企业（演示）",
        "人力资源总监",
        ExpertKind.INDUSTRY_ENTERPRISE,
        None,
        "expert.c",
    ),
    (
        "演示专家丁",
        "漳州职业技术学院",
        "质量办主任",
        ExpertKind.VOCATIONAL_COLLEGE,
        "漳州职业技术学院",
        None,
    ),
    ("演示专家戊", "黎明职业大学", "副校长", ExpertKind.VOCATIONAL_COLLEGE, "黎明职业大学", None),
    ("演示专家己", "某高校教育学院（演示）", "教授", ExpertKind.EDUCATION_RESEARCH, None, None),
    (
        "演示专家庚",
        "某港口物流集团（演示）",
        "总工程师",
        ExpertKind.INDUSTRY_ENTERPRISE,
        None,
        None,
    ),
    (
        "演示专家辛",
        "福建信息职业技术学院",
        "督导室主任",
        ExpertKind.VOCATIONAL_COLLEGE,
        "福建信息职业技术学院",
        None,
    ),
    ("演示专家壬", "某软件公司（演示）", "技术总监", ExpertKind.INDUSTRY_ENTERPRISE, None, None),
]


class Command(BaseCommand):
    help = "创建演示账号与演示专家库（均为虚构人员）；可重复运行。"

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("生产模式下不创建演示数据（seed_demo refuses to run in production）")
        call_command("load_fixtures", verbosity=0)
        with transaction.atomic():
            users = {}
            for username, display_name, role, school_name, is_staff in DEMO_ACCOUNTS:
                school = School.objects.get(name=school_name) if school_name else None
                users[username] = upsert_person(
                    username=username,
                    display_name=display_name,
                    role=role,
                    password=DEMO_PASSWORD,
                    email=f"{username}@demo.invalid",
                    school=school,
                    is_staff=is_staff,
                )
            for name, employer, title, kind, school_name, login in DEMO_EXPERTS:
                Expert.objects.update_or_create(
                    name=name,
                    defaults={
                        "employer": employer,
                        "title": title,
                        "kind": kind,
                        "school": School.objects.get(name=school_name) if school_name else None,
                        "user": users.get(login),
                    },
                )
            # The demo school's 学校联络人: invites and deactivates its colleagues.
            User.objects.filter(username="school.xmhy").update(is_school_contact=True)
            self._demo_report(users["school.xmhy"])
            self._demo_recheck(users["province"])
            seed_demo_statedata(user=users["province"])
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, display_name, role, school_name, _ in DEMO_ACCOUNTS:
            where = f" · {school_name}" if school_name else ""
            self.stdout.write(f"  {username:<12} {role.label}（{display_name}{where}）")

    def _demo_report(self, user) -> None:
        """A draft self-diagnosis for the demo school, with a panel and two elements written."""
        from django.utils import timezone

        school = School.objects.get(name="厦门海洋职业技术学院")
        report = report_service.open_self_diagnosis(
            school=school, year=timezone.localdate().year, user=user
        )
        if not report.is_draft or report.overview:
            return  # already seeded, or someone has worked on it: leave it alone
        report_service.save_panel(
            self_diagnosis=report,
            user=user,
            members=[
                {
                    "name": f"演示专家{i}",
                    "employer": "外校（演示）" if i <= 5 else "本校（演示）",
                    "external": i <= 5,
                }
                for i in range(1, 10)
            ],
        )
        report_service.save_draft(
            self_diagnosis=report,
            user=user,
            overview=TextEdit(
                {
                    "overview": "（演示）学校按照实施方案开展自我诊改，覆盖学校、专业、"
                    "课程、教师、学生五个层面。"
                },
                0,
            ),
            entries={
                "1.1": TextEdit(
                    {
                        "opinion": "（演示）质量目标与学校发展目标一致，达成度较高。存在问题：部分"
                        "专业目标偏高。原因分析：区域产业调研不够深入。",
                        "measures": "（演示）每年开展一次专业目标复核。",
                        "effects": "（演示）措施已实施一年，两个专业调整了培养目标。",
                    },
                    0,
                ),
                "2.1": TextEdit(
                    {
                        "opinion": "（演示）专业建设规划已制定并逐年落实。",
                        "measures": "",
                        "effects": "",
                    },
                    0,
                ),
            },
        )

    def _demo_recheck(self, staff) -> None:
        """A current cycle with the demo school picked, scheduled and given a panel."""
        from datetime import timedelta

        from django.utils import timezone

        year = timezone.localdate().year
        cycle = Cycle.objects.filter(
            kind=CycleKind.TRIENNIAL, start_year__lte=year, end_year__gte=year
        ).first() or recheck_service.create_cycle(start_year=year, user=staff)
        school = School.objects.get(name="厦门海洋职业技术学院")
        recheck, created = Recheck.objects.get_or_create(
            cycle=cycle, school=school, defaults={"planned_year": year}
        )
        if not created:
            return  # seeded before: leave whatever was done with it
        # Far enough ahead that the R10 deadlines are still to come, inside the cycle;
        start = timezone.localdate() + timedelta(days=40)  # publish-by in 10 days: a notice
        if start.year not in cycle.years:
            start = timezone.localdate() + timedelta(days=3)
        recheck_service.schedule(
            recheck=recheck, start=start, end=start + timedelta(days=2), user=staff
        )
        for login in ("expert.a", "expert.b", "expert.c"):
            expert = Expert.objects.get(user__username=login)
            if not panel_assignments.why_not(recheck=recheck, expert=expert):
                panel_assignments.assign_expert(
                    recheck=recheck, expert=expert, user=staff, reason="演示指派"
                )
