"""Run the periodic work once, for cron or a systemd timer: every job in PERIODIC_JOBS (the service
loop's overdue flags, reminders and cut-offs; finalising star applications whose notice has ended;
the monthly ranking snapshots).

`zhenxing serve` runs the same jobs every SCHEDULER_INTERVAL seconds. Each is idempotent: running
it twice, or on two machines at once, changes nothing the second time. A job that fails is
reported and the others still run; the command then exits non-zero.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "定时任务运行一轮（供 cron 使用）：工单超期与三级会商节点、创星公示期满认定、月度排序。"

    def handle(self, *args, **options) -> None:
        failed = []
        for path in settings.PERIODIC_JOBS:
            try:
                result = import_string(path)(now=timezone.now())
            except Exception as error:  # report it, run the other jobs
                failed.append(path)
                self.stderr.write(f"{path}: {error!r}")
            else:
                self.stdout.write(f"{path}: {result}")
        if failed:
            raise CommandError("定时任务失败：" + "、".join(failed))
