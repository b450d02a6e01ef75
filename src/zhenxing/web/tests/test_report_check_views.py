"""经验材料核数 pages: the menu item for county and township admins, a check made through the form
and shown with its figures and both texts, a bad form shown again with the Chinese message, and an
outsider's 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhenxing.reports.models import ReportCheck

pytestmark = pytest.mark.django_db
TEXT = "甲鎮黨建引領(lǐng)：摸排矛盾糾紛30件，調解成功29件。"


def test_a_township_checks_a_text_and_reads_it_beside_the_platform(client, township_a_user, tree):
    client.force_login(township_a_user)
    page = client.get(reverse("report_checks"))
    assert page.status_code == 200
    assert "经验材料核数" in page.content.decode()

    response = client.post(reverse("report_checks"), {"text": TEXT, "period": "2026"})
    check = ReportCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "report_check", args=[check.pk]
    )
    html = client.get(response["Location"]).content.decode()
    assert "甲镇" in html and "2026年" in html
    assert "受理矛盾纠纷数" in html and "化解矛盾纠纷数" in html and "平台无数据" in html
    assert "党建引领：摸排矛盾纠纷30件" in html  # the cleaned text, beside the original
    assert "黨建引領(lǐng)" in html
    assert "删除拼音注音 1 处" in html
    word = client.get(reverse("report_check_word", args=[check.pk]))
    assert word["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_bad_form_comes_back_with_the_message_and_an_outsider_gets_404(
    client, township_a_user, township_b_user, village_a1_user, tree
):
    client.force_login(township_a_user)
    response = client.post(reverse("report_checks"), {"text": "", "period": "2026"})
    assert response.status_code == 200
    assert "正文：请粘贴材料正文，或上传 .docx / .txt 文件" in response.content.decode()
    client.post(reverse("report_checks"), {"text": TEXT})
    check = ReportCheck.objects.get()

    client.force_login(township_b_user)
    assert client.get(reverse("report_check", args=[check.pk])).status_code == 404
    assert client.get(reverse("report_check_word", args=[check.pk])).status_code == 404

    client.force_login(village_a1_user)
    assert "经验材料核数" not in client.get(reverse("home")).content.decode()
    assert client.post(reverse("report_checks"), {"text": TEXT}).status_code == 403


def test_the_county_extends_the_figure_rules_and_a_township_may_not(
    client, county_user, township_a_user, tree
):
    client.force_login(county_user)
    page = client.get(reverse("report_rules"))
    assert page.status_code == 200 and "党员人数" in page.content.decode()
    bad = client.post(
        reverse("report_rules"),
        {"label": "社区数", "metric": "villages", "subjects": "社区", "units": "斤两", "sort": 1},
    )
    assert "单位：不认识“斤两”" in bad.content.decode()
    saved = client.post(
        reverse("report_rules"),
        {
            "label": "社区数",
            "metric": "villages",
            "subjects": "社区",
            "units": "个",
            "sort": 1,
            "active": "on",
        },
    )
    assert saved.status_code == 302
    client.post(reverse("report_checks"), {"text": "全县共有社区5个。", "region": tree.county.pk})
    claim = ReportCheck.objects.get().claims[0]
    assert (claim["rule"], claim["verdict"], claim["recorded"]) == ("社区数", "有出入", "3")

    client.force_login(township_a_user)
    assert client.get(reverse("report_rules")).status_code == 404
