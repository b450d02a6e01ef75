"""The star results pages (创星结果) in a real browser on the demo county: the county's
distribution by township (stacked chart, figures, the three-star share per township and for the
county), a township's villages, and the Word notice downloaded and read back. Screenshots
(desktop and phone) go to var/screenshots/.

The demo's star applications publish results; should a demo have none, the fixture publishes a
spread of results through ``zhenxing shell`` so the pages have something to show."""

from __future__ import annotations

import re
import subprocess

import pytest
from docx import Document

from tests.browser.conftest import BIN
from tests.browser.test_region_pages import DESKTOP, PHONE, login
from tests.browser.test_service_pages import assert_drawn, assert_fits
from zhenxing.demo.plan import current_star_year

PUBLISH_IF_NONE = """
from zhenxing.regions.models import Level, Region, VILLAGE_LEVELS
from zhenxing.stars.models import Application, ApplicationStar, Standard
if not Application.objects.filter(state__in=["published", "final"]).exists():
    standard = Standard.objects.filter(kind="village").order_by("-year").first()
    stars = list(standard.stars.order_by("sort"))
    villages = Region.objects.filter(level__in=VILLAGE_LEVELS).order_by("path")
    for i, village in enumerate(villages):
        held = (5, 4, 3, 3, 2, 3, 1, 0, 4, 3)[i % 10]
        application, _ = Application.objects.update_or_create(
            region=village, standard=standard,
            defaults={"state": "final" if i % 3 else "published", "approved_stars": held},
        )
        for star in stars[len(stars) - held:]:
            ApplicationStar.objects.update_or_create(
                application=application, star=star, defaults={"awarded": True}
            )
"""


@pytest.fixture(scope="module")
def results_url(live_url, server_env):
    subprocess.run([BIN / "zhenxing", "shell", "-c", PUBLISH_IF_NONE], env=server_env, check=True)
    return live_url


def number(text: str) -> int:
    return int(text.replace(",", "").strip())


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_county_sees_the_distribution_by_township_and_a_township_its_villages(
    browser, results_url, shot, viewport, tmp_path, today
):
    name = "phone" if viewport is PHONE else "desktop"
    page = login(browser, results_url, "county", viewport)
    page.goto(f"{results_url}/stars/results/")  # the menu item 创星结果
    assert re.search(r"\d{4}年度创星结果", page.inner_text("h1"))
    # The demo's finished star year, published whole (the applications test may have published
    # one village of the year under way before this test, which makes it the newest year).
    finished = current_star_year(today) - 1
    page.goto(f"{results_url}/stars/results/?year={finished}")
    assert f"{finished}年度创星结果" in page.inner_text("h1")
    assert_drawn(page, "chart-results")

    rows = page.locator("#result-townships tbody tr")
    assert rows.count() == 3  # 裴岗镇, 城关镇, 上庄镇
    rated = [number(rows.nth(i).locator("td").nth(1).inner_text()) for i in range(3)]
    villages = number(page.locator("[data-results=villages]").inner_text())
    assert villages == sum(rated) > 0
    levels = {s: number(page.locator(f"[data-level='{s}']").inner_text()) for s in range(6)}
    assert sum(levels.values()) == villages
    unrated = page.locator("[data-results=unrated]")
    without = number(unrated.inner_text()) if unrated.count() else 0
    # The share is of all the county's villages: those without a published result hold no star.
    share = round(100 * (levels[3] + levels[4] + levels[5]) / (villages + without), 1)
    assert page.locator("[data-results=three-or-more]").inner_text() == f"{share}%"
    assert page.locator("[data-share=total]").inner_text() == f"{share}%"
    assert_fits(page)
    shot(page, f"star-results-county-{name}")

    if viewport is DESKTOP:
        with page.expect_download() as download:
            page.locator("#result-notice button[type=submit]").click()
        path = tmp_path / "notice.docx"
        download.value.save_as(path)
        texts = [p.text for p in Document(str(path)).paragraphs]
        assert texts[0] == "中共清河县委组织部"
        assert any(t.endswith("创建结果的通报") for t in texts)
        assert any(t.startswith("全县共有") and t.endswith(f"{share:g}%。") for t in texts)

    busiest = max(range(3), key=lambda i: rated[i])
    rows.nth(busiest).locator("a").click()
    page.wait_for_selector("#result-villages")
    assert page.locator("#result-villages tbody tr").count() == rated[busiest]
    assert_drawn(page, "chart-stars")
    assert_fits(page)
    shot(page, f"star-results-township-{name}")
    page.context.close()
