"""``zhenxing serve``: the embedded production server, one command.

It collects static files (whitenoise serves them), then runs child processes side by side: gunicorn
for the web app and, unless ``--no-worker``, django_tasks_db's ``db_worker`` for background jobs.
SIGINT/SIGTERM stop every child; if one child dies the others are stopped and serve exits non-zero.
The periodic scheduler (overdue flags, cut-offs, reminders) is the third child.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import gunicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STOP_TIMEOUT = 30  # seconds a child gets to finish before it is killed


class Command(BaseCommand):
    help = "启动生产服务：gunicorn（网页）和后台任务进程。"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="监听地址 HOST:PORT")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn 工作进程数")
        parser.add_argument("--threads", type=int, default=4, help="每个 gunicorn 工作进程的线程数")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(
        self, *args, addr: str, workers: int, threads: int, no_worker: bool, **options
    ) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        python = sys.executable
        web = [python, "-m", "gunicorn", "zhenxing.wsgi:application", "--bind", addr]
        web += ["--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads)]
        web += ["--access-logfile", "-", "--graceful-timeout", str(STOP_TIMEOUT - 5)]
        if gunicorn.version_info >= (25, 1):  # else its control socket sits in $HOME, shared
            web.append("--no-control-socket")
        children = {"web": web}
        if not no_worker:
            children["tasks"] = [python, "-m", "zhenxing.cli", "db_worker"]
        if settings.SCHEDULER_INTERVAL > 0:
            children["scheduler"] = [python, "-m", "zhenxing.cli", "scheduler"]

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        stopping: list[int] = []
        previous = {
            sig: signal.signal(sig, lambda signum, frame: stopping.append(signum))
            for sig in (signal.SIGINT, signal.SIGTERM)
        }
        procs = {name: subprocess.Popen(cmd, env=env) for name, cmd in children.items()}
        self.stdout.write(f"振兴已启动：http://{addr}/ （{', '.join(procs)}；Ctrl+C 停止）")
        failed = ""
        try:
            while not stopping and not failed:
                time.sleep(0.5)
                # A child that stops together with us (Ctrl+C reaches the group) is no failure.
                if not stopping:
                    failed = next((n for n, p in procs.items() if p.poll() is not None), "")
        finally:
            self._stop(procs)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed:
            raise CommandError(
                f"{failed} 进程意外退出（代码 {procs[failed].returncode}），已停止其他进程"
            )
        self.stdout.write("已停止。")

    def _stop(self, procs: dict[str, subprocess.Popen]) -> None:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, proc in procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} 未在 {STOP_TIMEOUT} 秒内退出，强制结束")
                proc.kill()
                proc.wait()
