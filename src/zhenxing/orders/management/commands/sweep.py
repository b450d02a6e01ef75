"""Run the periodic work once: overdue flags, reminders and the monthly cut-offs (for cron).

`zhenxing serve` runs the same thing every SCHEDULER_INTERVAL seconds. Running it twice, or on two
machines at once, changes nothing the second time.
"""

from django.core.management.base import BaseCommand

from zhenxing.orders.services import orders_sweep


class Command(BaseCommand):
    help = "Flag overdue orders, send reminders and run the 三级会商 cut-offs (idempotent)."

    def handle(self, *args, **options) -> None:
        result = orders_sweep()
        self.stdout.write(str(result))
