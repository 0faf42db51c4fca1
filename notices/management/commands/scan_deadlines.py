"""Run the deadline scan now (what beat runs daily); safe to run any number of times."""

from datetime import date

from django.core.management.base import BaseCommand

from notices.services.scan import scan


class Command(BaseCommand):
    help = "扫描各项期限并发送通知（与每日定时任务相同，可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, help="按这一天扫描（YYYY-MM-DD）")

    def handle(self, *args, **options):
        result = scan(today=options["date"])
        self.stdout.write(
            f"新通知 {result.created} 条；拟认定“异常” {result.proposals} 所；"
            f"限制措施年度记录 {result.sanction_entries} 条"
        )
