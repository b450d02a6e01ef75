"""The standards pages: everyone reads the county's rule book; a county admin loads a new version by
editing the current file in the page, and a bad file loads nothing, names each line at fault and
keeps what was typed. The API twin answers the same."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhenxing.stars.models import Standard
from zhenxing.stars.services import standard_load
from zhenxing.stars.standards import SHIPPED

pytestmark = pytest.mark.django_db
SOURCE = (SHIPPED / "henan-village-2026.yaml").read_text(encoding="utf-8")


@pytest.fixture
def standard(db):
    return standard_load(text=SOURCE)


def test_everyone_reads_the_standard_whole_with_its_file(client, standard, village_a1_user):
    client.force_login(village_a1_user)
    html = client.get(reverse("star_standards")).content.decode()
    assert "五星支部创建标准（示意，待本地确认）" in html
    assert "在用" in html and "导入新标准" not in html
    html = client.get(reverse("star_standard", args=[standard.pk])).content.decode()
    assert "村集体经济经营性收入不少于 20 万元" in html
    assert '村集体经济经营性收入 <small class="muted">collective_income</small>' in html
    assert "<td data-required>≥ 20万元</td>" in html
    assert "一票否决" in html and "须与其他各星同时获得" in html
    assert '<span class="ln">5</span>  code: henan-village' in html  # the file, line-numbered
    assert "以此为底稿修改" not in html


def test_a_township_cannot_load_a_standard(client, standard, township_a_user):
    client.force_login(township_a_user)
    response = client.post(reverse("star_standard_new"), {"source": SOURCE}, follow=True)
    assert "创星标准由县委组织部维护" in response.content.decode()
    assert Standard.objects.count() == 1


def test_the_county_raises_a_threshold_as_a_new_version(client, standard, county_user):
    client.force_login(county_user)
    form = client.get(reverse("star_standard_new") + f"?from={standard.pk}").content.decode()
    assert "threshold: 200000" in form  # the current file is the starting point
    edited = SOURCE.replace('version: "2026.1"', 'version: "2026.2"').replace(
        "threshold: 200000", "threshold: 300000"
    )
    response = client.post(reverse("star_standard_new"), {"source": edited}, follow=True)
    assert "已导入“五星支部创建标准（示意，待本地确认）（2026.2）”" in response.content.decode()
    assert Standard.objects.count() == 2
    new = Standard.objects.get(version="2026.2")
    income = new.stars.get(code="industry").indicators.get(code="income")
    assert income.threshold == "300000"
    # The old version is untouched: evaluations that used it keep it.
    old = Standard.objects.get(version="2026.1").stars.get(code="industry")
    assert old.indicators.get(code="income").threshold == "200000"


def test_a_bad_file_names_each_line_and_keeps_the_text(client, standard, county_user):
    client.force_login(county_user)
    bad = SOURCE.replace('version: "2026.1"', 'version: "2026.3"').replace(
        "metric: collective_income", "metric: happiness_index"
    )
    line = 1 + bad.splitlines().index("        metric: happiness_index")
    response = client.post(reverse("star_standard_new"), {"source": bad})
    html = response.content.decode()
    assert "标准文件有 1 处问题，未导入" in html
    assert f"第 {line} 行" in html and "happiness_index" in html
    assert "happiness_index</textarea>" not in html  # the text stays in the editor, whole
    assert "metric: happiness_index" in html
    assert Standard.objects.count() == 1


def test_changing_a_loaded_version_is_refused(client, standard, county_user):
    client.force_login(county_user)
    changed = SOURCE.replace("threshold: 200000", "threshold: 100000")
    html = client.post(reverse("star_standard_new"), {"source": changed}).content.decode()
    assert "2026.1 版已导入且内容不同：修改后请换一个版本号" in html
    assert Standard.objects.count() == 1


def test_an_upload_that_is_not_text_is_refused_by_field(client, county_user):
    client.force_login(county_user)
    upload = SimpleUploadedFile("标准.yaml", b"\xff\xfe\x00\x00garbage")
    html = client.post(
        reverse("star_standard_new"), {"source": "", "file": upload}
    ).content.decode()
    assert "标准文件须为 UTF-8 编码的文本（YAML）" in html
    assert Standard.objects.count() == 0


def test_the_api_loads_a_version_and_lists_each_problem(client, standard, county_user):
    client.force_login(county_user)
    url = "/api/v1/stars/standards"
    bad = SOURCE.replace('version: "2026.1"', 'version: "2026.4"').replace(
        "threshold: 95\n", "threshold: 150\n", 1
    )
    response = client.post(url, json.dumps({"source": bad}), content_type="application/json")
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"]]
    assert any("行" in m and "0 到 100" in m for m in messages), messages
    good = SOURCE.replace('version: "2026.1"', 'version: "2026.4"')
    response = client.post(url, json.dumps({"source": good}), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["version"] == "2026.4"
    listed = client.get(url).json()
    assert [s["version"] for s in listed if s["code"] == "henan-village"] == ["2026.4", "2026.1"]
    detail = client.get(f"{url}/{standard.pk}").json()
    assert detail["stars"][0]["code"] == "strong_branch"
    assert detail["source"] == SOURCE


def test_the_api_refuses_a_township(client, township_a_user):
    client.force_login(township_a_user)
    response = client.post(
        "/api/v1/stars/standards",
        json.dumps({"source": SOURCE}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "创星标准由县委组织部维护"
