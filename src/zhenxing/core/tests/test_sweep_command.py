"""`zhenxing sweep`: every periodic job once, for cron; one failing job does not stop the others."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

RAN: list[str] = []


def job_ok(*, now):
    RAN.append("ok")
    return "做完了"


def job_broken(*, now):
    raise RuntimeError("数据库不可用")


def test_sweep_runs_every_configured_job(settings):
    RAN.clear()
    settings.PERIODIC_JOBS = [f"{__name__}.job_ok", f"{__name__}.job_ok"]
    out = io.StringIO()
    call_command("sweep", stdout=out)
    assert RAN == ["ok", "ok"]
    assert f"{__name__}.job_ok: 做完了" in out.getvalue()


def test_a_failing_job_is_reported_and_the_rest_still_run(settings):
    RAN.clear()
    settings.PERIODIC_JOBS = [f"{__name__}.job_broken", f"{__name__}.job_ok"]
    err = io.StringIO()
    with pytest.raises(CommandError, match=f"定时任务失败：{__name__}.job_broken"):
        call_command("sweep", stdout=io.StringIO(), stderr=err)
    assert RAN == ["ok"]
    assert "数据库不可用" in err.getvalue()
