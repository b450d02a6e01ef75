"""A star application's year in a real browser, on the demo county: the county runs an evaluation;
the `village` secretary (on a phone) marks a task done, uploads evidence and self-assesses; the
township reviews (a star the data does not earn is refused, naming it); the county approves,
publishes, records an objection and decides it; the notice ends (`zhenxing stars_finalise`, the
scheduler's job, run as of a later day); the county revokes a star and the count drops.
Screenshots go to var/screenshots/ (phone for the village's steps, desktop for the others)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from tests.browser.conftest import BIN
from tests.browser.test_region_pages import DESKTOP, PHONE, login
from tests.browser.test_service_pages import assert_fits

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def messages(page) -> str:
    return page.inner_text(".messages") if page.locator(".messages").count() else ""


def submit(page, target) -> None:
    """Click a form's button and wait for the next page: the one the POST redirects to when done,
    the same page rendered again (the form filled in as typed) when refused."""
    with page.expect_navigation():
        (page.locator(target) if isinstance(target, str) else target).click()


def held(page) -> int:
    return int(page.locator("[data-held-count]").inner_text())


@pytest.mark.browser
def test_a_village_goes_from_self_assessment_to_a_revoked_star(
    browser, live_url, shot, server_env, tmp_path, today
):
    # The county runs an evaluation of the whole county.
    county = login(browser, live_url, "county", DESKTOP)
    county.goto(f"{live_url}/stars/")
    submit(county, "text=重新测评")
    assert "已按" in messages(county)

    # The village secretary, on a phone: the menu's 创星申报 leads to the village's application.
    village = login(browser, live_url, "village", PHONE)
    village.click("label.nav-button")
    submit(village, ".nav >> text=创星申报")
    assert "东王庄村" in village.inner_text("h1")
    assert village.inner_text("#app-state") == "创建中"
    assert village.locator("#tasks li[data-task]").count() >= 5  # and the weekly reports' own
    assert_fits(village)
    shot(village, "star-app-village-draft-phone")
    task = village.locator("#tasks li[data-task]:not(.done)").first
    task.locator("input[name=note]").fill("已完成")
    submit(village, task.locator("button"))
    assert "已完成" in messages(village)
    evidence = tmp_path / "材料.pdf"
    evidence.write_bytes(PDF)
    wrong = tmp_path / "照片.png"
    wrong.write_bytes(b"not a png at all")
    codes = village.locator("#evidence .indicator").evaluate_all(
        "els => els.map(e => e.dataset.indicator)"
    )
    assert len(codes) == 3
    for n, code in enumerate(codes):
        box = village.locator(f"#evidence .indicator[data-indicator={code}]")
        box.locator("summary").click()
        box.locator("textarea[name=text]").fill("相关台账、照片和情况说明")
        box.locator("input[type=file]").set_input_files(str(wrong if n == 0 else evidence))
        submit(village, box.locator("button[type=submit]"))
        if n == 0:  # the server checks what the file is, not its name
            refused = messages(village)
            assert "内容与 PNG 格式不符" in refused and "请重新选择附件" in refused
            # The page again, the form still open with the text typed: only the file to choose.
            box = village.locator(f"#evidence .indicator[data-indicator={code}]")
            assert box.locator("details").get_attribute("open") is not None
            assert box.locator("textarea[name=text]").input_value() == "相关台账、照片和情况说明"
            assert_fits(village)
            box.locator("input[type=file]").set_input_files(str(evidence))
            submit(village, box.locator("button[type=submit]"))
        assert "已上传" in messages(village)
    assert village.locator("#evidence .missing").count() == 0
    shot(village, "star-app-village-evidence-phone")
    submit(village, "#self-assess button[type=submit]")
    assert "已提交自评" in messages(village)
    assert village.inner_text("#app-state") == "村已自评"
    assert_fits(village)
    shot(village, "star-app-village-self-assessed-phone")
    url = village.url
    village.context.close()

    # The township reviews: every judged indicator met, and all the claimed stars recommended.
    township = login(browser, live_url, "township", DESKTOP)
    township.goto(url)

    def review(skip: set[str]) -> None:
        for fieldset in township.locator("#review-form fieldset.judge").all():
            fieldset.locator("input[value='1']").check()
            fieldset.locator("input[type=text]").fill("经实地查看，材料属实")
        for box in township.locator("#review-form input[name=recommend]").all():
            name = box.locator("xpath=..").inner_text().strip()
            box.set_checked(name not in skip)
        submit(township, "#review-form > button[type=submit]")

    review(set())
    refused = messages(township)
    # The goal's capstone (支部过硬星) is not earned: refused, naming it and why.
    assert "“支部过硬星”不能推荐" in refused
    assert township.inner_text("#app-state") == "村已自评"
    # Nothing typed is lost: every judgement, note and recommendation is as it was.
    judges = township.locator("#review-form fieldset.judge")
    assert judges.count() >= 1
    for fieldset in judges.all():
        assert fieldset.locator("input[value='1']").is_checked()
        assert fieldset.locator("input[type=text]").input_value() == "经实地查看，材料属实"
    for box in township.locator("#review-form input[name=recommend]").all():
        assert box.is_checked()
    shot(township, "star-app-township-refused-desktop")
    township.set_viewport_size(PHONE)
    assert_fits(township)
    shot(township, "star-app-township-refused-phone")
    township.set_viewport_size(DESKTOP)
    review(set(re.findall(r"“(\S+?)”不能推荐", refused)))
    assert "已完成乡镇初评" in messages(township)
    assert township.inner_text("#app-state") == "乡镇已初评"
    assert "按标准由县委组织部审定" in township.inner_text("#approve")
    assert township.locator("#approve form").count() == 0  # three stars: not the township's
    shot(township, "star-app-township-reviewed-desktop")
    township.context.close()

    # The county approves, publishes, records an objection and rejects it.
    county.goto(url)
    submit(county, "#approve button[type=submit]")
    assert "已审定" in messages(county)
    submit(county, "#publish button[type=submit]")
    assert "已公示" in messages(county)
    assert county.inner_text("#app-state") == "公示中"
    stars = held(county)
    assert stars == 3
    county.click("#action-objection summary")
    # The received date defaults to the server's today: the session's pinned one.
    assert county.input_value("#ob-date") == today.isoformat()
    county.fill("#ob-content", "反映该村美丽庭院评选不公开")
    submit(county, "#action-objection button[type=submit]")
    assert "已登记异议" in messages(county)
    objection = county.locator("#objections .objection.pending")
    objection.locator("input[value=rejected]").check()
    objection.locator("textarea").fill("经核查评选过程公开，异议不成立")
    submit(county, objection.locator("button"))
    assert "异议不成立" in messages(county)
    assert_fits(county)
    shot(county, "star-app-county-published-desktop")

    # The notice ends: the scheduler's job, run as of a day after the notice.
    later = (today + dt.timedelta(days=30)).isoformat()
    subprocess.run(
        [BIN / "zhenxing", "stars_finalise", "--today", later], env=server_env, check=True
    )
    county.reload()
    assert county.inner_text("#app-state") == "已认定"

    # A veto event: the county enters a disciplinary case (a judged veto of the whole branch);
    # the proposal waits in the county's to-do until it is decided, then every star goes.
    app_url = county.url
    county.click("#action-propose summary")
    county.select_option("#pr-veto", label="班子成员无违纪违法（整个支部当年不评星）")
    county.fill("#pr-event", "村党支部委员王某违反廉洁纪律，受党内严重警告处分")
    county.fill("#pr-ref", "清纪发〔2026〕21号")
    submit(county, "#action-propose button[type=submit]")
    assert "已提出摘星建议" in messages(county)
    assert held(county) == stars  # nothing moves before the county decides
    county.goto(f"{live_url}/orders/")
    proposal = county.locator("#todo-proposals li", has_text="东王庄村")
    assert "王某" in proposal.inner_text()
    assert_fits(county)
    shot(county, "star-proposal-county-todo-desktop")
    county.set_viewport_size(PHONE)
    assert_fits(county)
    shot(county, "star-proposal-county-todo-phone")
    county.set_viewport_size(DESKTOP)
    with county.expect_navigation():
        proposal.locator("a").click()
    decide = county.locator("#proposals .proposal.open")
    decide.locator("input[value=revoke]").check()
    decide.locator("textarea").fill("经县委组织部研究，按标准摘星")
    submit(county, decide.locator("button"))
    assert "已摘除：" in messages(county)
    assert held(county) == 0
    assert "已摘星" in county.inner_text("#app-stars [data-star=ecology]")
    assert county.locator("#proposals [data-proposal-state=revoked]").count() == 1
    shot(county, "star-app-county-revoked-desktop")
    assert county.url.split("#")[0] == app_url.split("#")[0]
    county.goto(f"{live_url}/stars/applications/?state=final")
    row = county.locator("tr", has_text="东王庄村")
    assert row.locator("[data-held]").inner_text() == "0"
    shot(county, "star-app-county-list-desktop")
    county.context.close()
