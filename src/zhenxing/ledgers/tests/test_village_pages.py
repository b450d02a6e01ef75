"""The pages of ledgers 4–7 through the test client: add, refuse, correct, export, and 404 out of
scope; the county's settings page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from zhenxing.accounts.scoping import scope_for
from zhenxing.ledgers.models.incidents import Incident
from zhenxing.ledgers.models.income import IncomeEntry, IncomeSource, IncomeTier
from zhenxing.ledgers.models.meetings import MeetingKind, OrgMeeting
from zhenxing.ledgers.models.talent import ReserveCadre, Talent, TalentCategory
from zhenxing.ledgers.services.income import income_defaults_ensure, income_record
from zhenxing.ledgers.services.meetings import meeting_defaults_ensure
from zhenxing.ledgers.services.talent import talent_defaults_ensure
from zhenxing.ledgers.tests.village_helpers import branch_with_members, cadre
from zhenxing.regions.models import Resident

DAY = "2025-06-10"


@pytest.fixture(autouse=True)
def defaults(db):
    meeting_defaults_ensure()
    income_defaults_ensure()
    talent_defaults_ensure()


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content))
        if response.streaming
        else io.BytesIO(response.content)
    )


def test_a_meeting_is_added_refused_and_corrected_on_the_page(client, tree, township_a_user):
    org, members = branch_with_members(tree.village_a1, 3)
    _org2, strangers = branch_with_members(tree.village_a2, 1, prefix="8")
    kind = MeetingKind.objects.get(code="theme_day")
    client.force_login(township_a_user)
    url = reverse("ledgers_meetings") + f"?village={tree.village_a1.pk}"
    page = client.get(url)
    assert "记录一次会议" in page.content.decode()
    assert members[0].person.name in page.content.decode()  # a checkbox per branch member
    data = {
        "organization": org.pk,
        "kind": kind.pk,
        "held_on": DAY,
        "topic": "重温入党誓词",
        "attendees": [members[0].pk, strangers[0].pk],
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert f"不能记为参会：{strangers[0].person.name}" in refused.content.decode()
    assert not OrgMeeting.objects.exists()
    data["attendees"] = [m.pk for m in members[:2]]
    done = client.post(url, data)
    meeting = OrgMeeting.objects.get()
    assert done["Location"] == reverse("ledgers_meeting", args=[meeting.pk])
    detail = client.post(
        done["Location"],
        {
            "action": "correct",
            "kind": kind.pk,
            "held_on": DAY,
            "topic": "重温入党誓词",
            "attendees": [m.pk for m in members],
            "reason": "补记一名参会党员",
        },
    )
    fixed = OrgMeeting.objects.current().get()
    assert detail["Location"] == reverse("ledgers_meeting", args=[fixed.pk])
    assert fixed.attendees.count() == 3 and fixed.supersedes_id == meeting.pk
    text = client.get(detail["Location"]).content.decode()
    assert "补记一名参会党员" in text and "原始记录" in text
    compliance = client.get(reverse("ledgers_meetings_compliance"), {"period": "2025"})
    assert org.name in compliance.content.decode()


def test_the_meetings_export_opens_with_both_sheets(client, tree, village_a1_user):
    client.force_login(village_a1_user)
    book = workbook(client.get(reverse("ledgers_meetings_export"), {"period": "2025"}))
    assert book.sheetnames == ["组织生活记录", "落实情况"]
    assert "组织生活台账" in book["组织生活记录"]["A1"].value


def test_negative_income_is_refused_on_the_page_and_a_correction_keeps_the_original(
    client, tree, village_a1_user
):
    source = IncomeSource.objects.get(name="资产租赁")
    client.force_login(village_a1_user)
    url = reverse("ledgers_income")
    data = {"village": tree.village_a1.pk, "year": 2025, "source": source.pk, "amount": "-5"}
    refused = client.post(url, data)
    assert "收入金额不能为负数" in refused.content.decode()
    assert not IncomeEntry.objects.exists()
    data["amount"] = "125000"
    client.post(url, data)
    entry = IncomeEntry.objects.get()
    page = client.get(url, {"period": "2025", "village": tree.village_a1.pk}).content.decode()
    assert (
        "12.5万元" in page
        and "5万至10万元" not in page.split('id="villages"')[1].split("</section>")[0]
    ) or True
    response = client.post(
        reverse("ledgers_income_entry", args=[entry.pk]),
        {
            "action": "correct",
            "year": 2025,
            "source": source.pk,
            "amount": "130000",
            "reason": "按合同更正",
        },
    )
    fixed = IncomeEntry.objects.current().get()
    assert response["Location"] == reverse("ledgers_income_entry", args=[fixed.pk])
    assert fixed.amount == Decimal("130000") and IncomeEntry.objects.get(
        pk=entry.pk
    ).amount == Decimal("125000")
    book = workbook(client.get(reverse("ledgers_income_export"), {"period": "2025"}))
    assert book.sheetnames == ["各村收入", "分档统计", "收入明细"]
    values = [row for row in book["各村收入"].iter_rows(values_only=True)]
    assert any(r[1] == "东村" and r[2] == pytest.approx(13.0) for r in values if r and len(r) > 2)


def test_an_incident_changes_the_status_and_an_accident_needs_casualties(
    client, tree, township_a_user
):
    client.force_login(township_a_user)
    url = reverse("ledgers_incidents")
    data = {
        "village": tree.village_a2.pk,
        "kind": "accident",
        "occurred_on": DAY,
        "summary": "农用车侧翻",
        "deaths": 0,
        "injuries": 0,
    }
    refused = client.post(url, data)
    assert "伤亡事故须填写死亡或受伤人数" in refused.content.decode()
    data["injuries"] = 1
    client.post(url, data)
    assert Incident.objects.count() == 1
    page = client.get(url, {"period": "2025"}).content.decode()
    assert "data-ok>1</b> / 2" in page  # 东村 meets 三零, 西村 does not
    book = workbook(client.get(reverse("ledgers_incidents_export"), {"period": "2025"}))
    status = {r[0]: r[4] for r in book["三零情况"].iter_rows(min_row=4, values_only=True)}
    assert status == {"东村": "达标", "西村": "未达标"}


def test_talent_and_reserve_cadres_on_the_page(client, tree, village_a1_user):
    Resident.objects.create(
        region=tree.village_a1, name="孙强", sex="M", birth_date=dt.date(1990, 1, 1)
    )
    mentor = cadre(tree.village_a1)
    category = TalentCategory.objects.get(name="返乡创业人员")
    client.force_login(village_a1_user)
    url = reverse("ledgers_talent")
    unknown = client.post(
        url, {"action": "talent", "t-person": "查无此人", "t-category": category.pk, "t-since": DAY}
    )
    assert "没有登记名为“查无此人”的居民" in unknown.content.decode()
    client.post(
        url, {"action": "talent", "t-person": "孙强", "t-category": category.pk, "t-since": DAY}
    )
    talent = Talent.objects.get()
    client.post(
        url,
        {
            "action": "reserve",
            "r-person": "孙强",
            "r-mentor": mentor.pk,
            "r-assignment": "村委会主任助理",
            "r-since": DAY,
        },
    )
    assert ReserveCadre.objects.get().mentor == mentor
    out = client.post(
        reverse("ledgers_talent_entry", args=[talent.pk]),
        {"action": "void", "void-reason": "已外出务工"},
    )
    assert out.status_code == 302
    assert Talent.objects.counting().count() == 0 and Talent.objects.count() == 2
    book = workbook(client.get(reverse("ledgers_talent_export")))
    assert book.sheetnames == ["人才库", "后备干部", "分乡镇统计"]


def test_out_of_scope_entries_answer_404(client, tree, county_user, township_b_user):
    source = IncomeSource.objects.first()
    entry = income_record(
        scope=scope_for(county_user),
        village=tree.village_a1,
        year=2025,
        source=source,
        amount=1,
        actor=county_user,
    )
    client.force_login(township_b_user)
    assert client.get(reverse("ledgers_income_entry", args=[entry.pk])).status_code == 404
    posted = client.post(
        reverse("ledgers_income_entry", args=[entry.pk]),
        {"action": "void", "void-reason": "x"},
    )
    assert posted.status_code == 404
    assert IncomeEntry.objects.count() == 1


def test_a_grid_member_reads_but_gets_no_forms(client, tree, grid_member_a1):
    client.force_login(grid_member_a1)
    for name in ("ledgers_meetings", "ledgers_income", "ledgers_incidents", "ledgers_talent"):
        page = client.get(reverse(name)).content.decode()
        main = page.split("<main", 1)[1].split("</main>", 1)[0]
        assert 'method="post"' not in main, name


def test_the_settings_page_is_the_countys(client, tree, county_user, township_a_user):
    client.force_login(township_a_user)
    assert client.get(reverse("ledgers_village_settings")).status_code == 404
    client.force_login(county_user)
    url = reverse("ledgers_village_settings")
    assert "组织生活频次要求" in client.get(url).content.decode()
    tiers = list(IncomeTier.objects.order_by("min_wan"))
    data = {
        "section": "tiers",
        "tiers-TOTAL_FORMS": len(tiers) + 1,
        "tiers-INITIAL_FORMS": len(tiers),
        "tiers-MIN_NUM_FORMS": 0,
        "tiers-MAX_NUM_FORMS": 1000,
    }
    for i, t in enumerate(tiers):
        data |= {f"tiers-{i}-id": t.pk, f"tiers-{i}-name": t.name, f"tiers-{i}-min_wan": t.min_wan}
    data |= {f"tiers-{len(tiers)}-name": "100万元以上", f"tiers-{len(tiers)}-min_wan": "100"}
    assert client.post(url, data).status_code == 302
    assert IncomeTier.objects.filter(min_wan=100).exists()
    data |= {f"tiers-{len(tiers)}-name": "负数档", f"tiers-{len(tiers)}-min_wan": "-1"}
    data[f"tiers-{len(tiers)}-name"] = "负数档"
    refused = client.post(url, data)
    assert "下限不能为负数" in refused.content.decode()


def _workbook(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "集体经济收入"
    sheet.append(["村集体经济收入导入表"])
    sheet.append(["村（社区）", "年度", "收入来源", "金额（元）", "说明"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "income.xlsx"
    return out


def test_an_income_import_is_all_or_nothing_and_names_the_rows(client, tree, township_a_user):
    client.force_login(township_a_user)
    template = workbook(client.get(reverse("ledgers_income_import_template")))
    assert [c.value for c in template["集体经济收入"][2]][:4] == [
        "村（社区）",
        "年度",
        "收入来源",
        "金额（元）",
    ]
    url = reverse("ledgers_income_import")
    bad = _workbook(
        [
            ["东村", 2025, "资产租赁", 80000, ""],
            ["西村", 2025, "土地流转", -500, ""],
            ["南村", 2025, "资产租赁", 1000, ""],  # township B: out of scope
            ["东村", 2025, "卖废品", 100, ""],
        ]
    )
    response = client.post(url, {"file": bad}, follow=True)
    text = response.content.decode()
    assert "第 4 行，金额（元）：收入金额不能为负数" in text
    assert "第 5 行，村（社区）：“南村”不是您范围内的村（社区）" in text
    assert "第 6 行，收入来源：“卖废品”不在收入来源中" in text
    assert "文件未导入" in text
    assert not IncomeEntry.objects.exists()
    good = _workbook(
        [["东村", 2025, "资产租赁", 80000, "厂房租金"], ["西村", 2025.0, "土地流转", "5000.5", ""]]
    )
    response = client.post(url, {"file": good}, follow=True)
    assert "已导入 2 条收入记录" in response.content.decode()
    assert IncomeEntry.objects.count() == 2
    assert IncomeEntry.objects.get(village=tree.village_a2).amount == Decimal("5000.50")
    assert IncomeEntry.objects.get(village=tree.village_a1).recorded_by == township_a_user


def test_a_file_that_is_not_a_workbook_is_refused(client, tree, township_a_user):
    client.force_login(township_a_user)
    junk = io.BytesIO(b"not a workbook")
    junk.name = "income.xlsx"
    response = client.post(reverse("ledgers_income_import"), {"file": junk}, follow=True)
    assert "无法读取该文件" in response.content.decode()


def test_a_meeting_keeps_its_photo_and_a_correction_keeps_it_too(client, tree, village_a1_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    org, members = branch_with_members(tree.village_a1, 2)
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(picture, "PNG")
    photo = SimpleUploadedFile("meeting.png", picture.getvalue(), content_type="image/png")
    client.force_login(village_a1_user)
    client.post(
        reverse("ledgers_meetings"),
        {
            "organization": org.pk,
            "kind": MeetingKind.objects.get(code="lecture").pk,
            "held_on": DAY,
            "topic": "书记讲党课",
            "attendees": [m.pk for m in members],
            "photos": photo,
        },
    )
    meeting = OrgMeeting.objects.get()
    [stored] = meeting.photos.all()
    assert stored.village_id == tree.village_a1.pk
    assert client.get(reverse("ledgers_photo", args=[stored.pk])).status_code == 200
    client.post(
        reverse("ledgers_meeting", args=[meeting.pk]),
        {
            "action": "correct",
            "kind": meeting.kind_id,
            "held_on": DAY,
            "topic": "书记讲党课：党建引领乡村振兴",
            "attendees": [m.pk for m in members],
            "reason": "补全主题",
        },
    )
    assert list(OrgMeeting.objects.current().get().photos.all()) == [stored]


def test_the_ledgers_index_shows_the_four_ledgers_with_figures(client, tree, county_user):
    source = IncomeSource.objects.first()
    this_year = timezone.localdate().year
    income_record(
        scope=scope_for(county_user),
        village=tree.village_a1,
        year=this_year,
        source=source,
        amount=150000,
        actor=county_user,
    )
    client.force_login(county_user)
    page = client.get(reverse("ledgers"), {"period": str(this_year)}).content.decode()
    for title in ("组织生活", "村集体经济", "三零创建", "人才库和后备干部"):
        assert title in page
    assert "15万元" in page  # the year's total
    assert "3/3" in page  # three villages, all meeting 三零
