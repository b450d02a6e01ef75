"""Roster pages and their API twins: upload → job page with progress → result or error list."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zhenxing.accounts import services as account_services
from zhenxing.accounts.models import PersonalDataView, Role, User
from zhenxing.core.models import Job, JobStatus
from zhenxing.regions import rosters
from zhenxing.regions.models import Household
from zhenxing.regions.tests.factories import (
    HOUSEHOLD_HEADER,
    Tree,
    bad_checksum,
    id_number,
    make_tree,
    upload,
    workbook_bytes,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_user(username: str, role: str, region) -> User:
    return account_services.user_create(
        username=username, password="roster-test-9", role=role, scope_region=region
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tree(db) -> Tree:
    return make_tree()


@pytest.fixture
def admin_a(tree: Tree):
    return make_user("township_a_admin", Role.TOWNSHIP_ADMIN, tree.township_a)


@pytest.fixture
def admin_b(tree: Tree):
    return make_user("township_b_admin", Role.TOWNSHIP_ADMIN, tree.township_b)


def households(*rows: tuple) -> bytes:
    return workbook_bytes({"农户": [HOUSEHOLD_HEADER, *rows]})


GOOD = households(
    ("东村", "一组", "001", "李芳", id_number(1), "", "13800138000", 3, "低保"),
    ("西村", "", "002", "王强", id_number(2), "", "", 2, ""),
)
BAD = households(
    ("东村", "", "001", "李芳", id_number(1), "", "", 3, ""),
    ("西村", "", "002", "王强", bad_checksum(id_number(2)), "", "", 2, ""),
)


def post_upload(client, region, data: bytes, kind: str = rosters.ALL, name: str = "花名册.xlsx"):
    return client.post(
        reverse("region_rosters_import", args=[region.pk]),
        {"kind": kind, "file": upload(data, name)},
    )


def test_the_shortcut_goes_to_the_users_region(client, tree, admin_a):
    client.force_login(admin_a)
    response = client.get(reverse("rosters"))
    assert response["Location"] == reverse("region_rosters", args=[tree.township_a.pk])


def test_the_rosters_page_offers_template_upload_exports_and_jobs(client, tree, admin_a):
    client.force_login(admin_a)
    html = client.get(reverse("region_rosters", args=[tree.township_a.pk])).content.decode()
    assert reverse("roster_template") in html
    assert reverse("region_rosters_import", args=[tree.township_a.pk]) in html
    assert f"{reverse('region_rosters_export', args=[tree.township_a.pk])}?kind=households" in html
    assert "还没有导入记录" in html
    assert "花名册导入导出" in html  # the navigation item, for an admin role


def test_a_grid_member_sees_exports_but_no_upload_form(client, tree):
    member = make_user("grid", Role.GRID_MEMBER, tree.village_a1)
    client.force_login(member)
    html = client.get(reverse("region_rosters", args=[tree.village_a1.pk])).content.decode()
    assert 'enctype="multipart/form-data"' not in html and "已打码" in html
    response = post_upload(client, tree.village_a1, GOOD)
    assert response.status_code == 200 and Job.objects.count() == 0
    assert "未导入：您的角色不能导入花名册" in response.content.decode()


def test_the_template_downloads(client, tree, admin_a):
    client.force_login(admin_a)
    response = client.get(reverse("roster_template"))
    assert response["Content-Type"] == XLSX
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names[0] == "说明" and "农户" in book.sheet_names


def test_an_upload_runs_and_the_job_page_shows_the_result(
    client, tree, admin_a, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, tree.township_a, GOOD)
    job = Job.objects.get()
    assert response["Location"] == reverse("job", args=[job.pk])
    assert Household.objects.count() == 2

    page = client.get(reverse("job", args=[job.pk]))
    html = page.content.decode()
    assert "HX-Request" in page["Vary"]
    assert "<html" in html and "导入完成" in html and "花名册.xlsx" in html
    assert re.search(r'<td class="num" data-kind="households">2</td>', html)
    assert 'hx-trigger="every 1s"' not in html  # finished: no more polling
    assert '<progress value="2" max="2"' in html

    fragment = client.get(reverse("job", args=[job.pk]), headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "<html" not in body and body.strip().startswith('<div id="job-progress"')
    assert "导入完成" in body

    listing = client.get(reverse("region_rosters", args=[tree.township_a.pk])).content.decode()
    assert reverse("job", args=[job.pk]) in listing and "已完成" in listing


def test_a_running_job_polls_and_shows_its_progress(client, tree, admin_a):
    job = Job.objects.create(
        kind=rosters.JOB_KIND,
        region=tree.township_a,
        status=JobStatus.VALIDATING,
        total=100_000,
        done=35_000,
        heartbeat_at=timezone.now(),
    )
    client.force_login(admin_a)
    for headers in ({}, {"HX-Request": "true"}):
        html = client.get(reverse("job", args=[job.pk]), headers=headers).content.decode()
        assert f'hx-get="{reverse("job", args=[job.pk])}" hx-trigger="every 1s"' in html
        assert '<progress value="35000" max="100000"' in html
        assert "已检查 35000 / 100000 行" in html.replace(",", "")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.WRITING)
    html = client.get(
        reverse("job", args=[job.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "正在一次写入数据库" in html and 'hx-trigger="every 1s"' in html


def test_a_job_whose_worker_died_shows_interrupted_and_stops_polling(client, tree, admin_a):
    job = Job.objects.create(
        kind=rosters.JOB_KIND,
        region=tree.township_a,
        status=JobStatus.VALIDATING,
        total=10,
        done=5,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=3),
    )
    client.force_login(admin_a)
    html = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "已中断" in html and "没有写入任何数据" in html
    assert 'hx-trigger="every 1s"' not in html


def test_a_bad_file_lists_its_errors_and_writes_nothing(
    client, tree, admin_a, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        post_upload(client, tree.township_a, BAD)
    job = Job.objects.get()
    assert Household.objects.count() == 0
    html = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "发现 1 处错误，未写入任何数据" in html
    assert "工作表“农户”第 3 行“户主身份证号”列：身份证号校验位不正确" in html
    assert "用同一文件重新导入" in html
    kept = client.get(reverse("job_file", args=[job.pk]))
    assert b"".join(kept.streaming_content) == BAD
    assert PersonalDataView.objects.filter(what__startswith=f"job file {job.pk}").exists()
    # The file holds full ID numbers: a viewer in scope sees the job but cannot download it.
    client.force_login(make_user("viewer", Role.VIEWER, tree.township_a))
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "身份证号校验位不正确" in page and reverse("job_file", args=[job.pk]) not in page
    refused = client.get(reverse("job_file", args=[job.pk]))
    assert refused.status_code == 200 and "您的角色不能下载" in refused.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "kind", "message"),
    [
        ("a.xls", b"\xd0\xcf\x11\xe0 old excel", rosters.ALL, "不是 Excel .xlsx 文件"),
        ("a.xlsx", b"", rosters.ALL, "文件是空的"),
        ("a.xlsx", workbook_bytes({"农户": [("户号", "电话")]}), rosters.ALL, "无法识别的列“电话”"),
    ],
)
def test_a_bad_upload_gets_a_message_and_no_job(client, tree, admin_a, name, data, kind, message):
    client.force_login(admin_a)
    response = post_upload(client, tree.township_a, data, kind, name)
    assert response.status_code == 200  # the rosters page again, with the message
    html = response.content.decode()
    assert "未导入：" in html and message in html
    assert 'role="alert"' in html
    assert Job.objects.count() == 0


def test_exports_are_masked_for_a_viewer_and_logged_when_not(client, tree, admin_a):
    Household.objects.create(
        village=tree.village_a1, number="001", head_name="李芳", phone="13800138000"
    )
    viewer = make_user("viewer", Role.VIEWER, tree.township_a)
    url = reverse("region_rosters_export", args=[tree.township_a.pk]) + "?kind=households"
    for user, phone in ((viewer, "138****8000"), (admin_a, "13800138000")):
        client.force_login(user)
        response = client.get(url)
        assert response["Content-Type"] == XLSX
        assert "attachment" in response["Content-Disposition"]
        book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        assert book.get_sheet_by_name("农户").to_python()[1][6] == phone
    assert list(PersonalDataView.objects.values_list("user__username", flat=True)) == [
        "township_a_admin"
    ]
    bare = client.get(reverse("region_rosters_export", args=[tree.township_a.pk]))
    assert bare["Location"] == reverse("region_rosters", args=[tree.township_a.pk])


def test_out_of_scope_pages_are_404(client, tree, admin_a, admin_b):
    job = Job.objects.create(kind=rosters.JOB_KIND, region=tree.township_a)
    client.force_login(admin_b)
    for url in (
        reverse("region_rosters", args=[tree.township_a.pk]),
        reverse("region_rosters_export", args=[tree.township_a.pk]),
        reverse("job", args=[job.pk]),
        reverse("job_file", args=[job.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert post_upload(client, tree.township_a, GOOD).status_code == 404
    assert client.post(reverse("job_retry", args=[job.pk])).status_code == 404
    assert Job.objects.count() == 1


# --------------------------------------------------------------------------------------------
# API twins
# --------------------------------------------------------------------------------------------


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {account_services.api_token_issue(user=user)}"}


def test_the_api_imports_reports_the_job_and_exports(
    client, tree, admin_a, django_capture_on_commit_callbacks
):
    headers = bearer(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/rosters/{tree.township_a.pk}/imports",
            {"kind": "households", "file": upload(GOOD)},
            headers=headers,
        )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
    assert (job["status"], job["total"], job["done"], job["percent"]) == ("done", 2, 2, 100)
    assert job["result"]["created"] == {"households": 2, "residents": 2}
    listed = client.get(f"/api/v1/rosters/{tree.township_a.pk}/imports", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [job_id]

    export = client.get(
        f"/api/v1/rosters/{tree.township_a.pk}/export?kind=households", headers=headers
    )
    assert export.status_code == 200 and export["Content-Type"] == XLSX
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    assert len(book.get_sheet_by_name("农户").to_python()) == 3


def test_the_api_reports_errors_and_refuses_bad_uploads(
    client, tree, admin_a, django_capture_on_commit_callbacks
):
    headers = bearer(admin_a)
    url = f"/api/v1/rosters/{tree.township_a.pk}/imports"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": upload(BAD)}, headers=headers)
    job = client.get(f"/api/v1/jobs/{response.json()['id']}", headers=headers).json()
    assert job["status"] == "failed" and job["error_count"] == 1
    assert job["errors"][0] == {
        "sheet": "农户",
        "row": 3,
        "column": "户主身份证号",
        "message": "身份证号校验位不正确",
        "text": "工作表“农户”第 3 行“户主身份证号”列：身份证号校验位不正确",
    }
    refused = client.post(url, {"file": upload(b"not a workbook", "a.txt")}, headers=headers)
    assert refused.status_code == 400 and "不是 Excel .xlsx 文件" in refused.json()["detail"]
    missing = client.post(url, {}, headers=headers)
    assert missing.status_code == 400 and "请选择要上传的文件" in missing.json()["detail"]


def test_the_api_answers_404_out_of_scope(client, tree, admin_a, admin_b):
    job = Job.objects.create(kind=rosters.JOB_KIND, region=tree.township_a)
    headers = bearer(admin_b)
    region = tree.township_a.pk
    for url in (
        f"/api/v1/jobs/{job.pk}",
        f"/api/v1/rosters/{region}/imports",
        f"/api/v1/rosters/{region}/export?kind=households",
    ):
        assert client.get(url, headers=headers).status_code == 404, url
    response = client.post(
        f"/api/v1/rosters/{region}/imports", {"file": upload(GOOD)}, headers=headers
    )
    assert response.status_code == 404 and Job.objects.count() == 1
