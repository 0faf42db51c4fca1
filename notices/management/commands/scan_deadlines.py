"""Run the deadline scan now (what beat runs daily); safe to run any number of times."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from notices.services.scan import scan


class Command(BaseCommand):
    help = "扫描各项期限并发送通知（与每日定时任务相同，可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按这一天扫描（YYYY-MM-DD，2017 至 2100 年之间）")

    def handle(self, *args, **options):
        result = scan(today=_scan_date(options["date"]))
        self.stdout.write(
            f"新通知 {result.created} 条；拟认定“异常” {result.proposals} 所；"
            f"限制措施年度记录 {result.sanction_entries} 条"
        )


# Deadlines are computed years ahead of the scanned day; a date outside these years is a typo.
FIRST_DAY, LAST_DAY = date(2017, 1, 1), date(2100, 12, 31)


def _scan_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”格式不对，请写成 YYYY-MM-DD，如 2026-05-30。") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise CommandError(f"日期 {day} 超出范围：只能扫描 {FIRST_DAY} 至 {LAST_DAY} 之间的日期。")
    return day
