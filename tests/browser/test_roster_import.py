"""Upload a roster in the browser: the job page follows the background worker to the end."""

from __future__ import annotations

import openpyxl
from stdnum.cn import ric

from tests.browser.test_region_pages import DESKTOP, PHONE, login


def id_number(serial: int, *, bad: bool = False) -> str:
    first17 = f"41010019800101{serial:03d}"
    check = ric.calc_check_digit(first17 + "0")
    if bad:
        check = "1" if check == "0" else "0"
    return first17 + check


def household_file(path, *, bad_row: int | None = None) -> str:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "农户"
    sheet.append(["村（社区）", "户号", "户主姓名", "户主身份证号", "联系电话", "人口数"])
    for i in range(1, 6):
        row_number = i + 1  # the header is row 1
        sheet.append(
            [
                "东王庄村",
                f"浏览器-{i}",
                f"测试户主{i}",
                id_number(800 + i, bad=row_number == bad_row),
                "13800138000",
                3,
            ]
        )
    book.save(path)
    return str(path)


def upload(page, live_url: str, path: str) -> None:
    page.goto(f"{live_url}/rosters/")
    page.set_input_files("input[type=file]", path)
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url("**/jobs/*/")


def test_htmx_is_served_locally(browser, live_url):
    page = login(browser, live_url, "township", DESKTOP)
    assert page.evaluate("typeof htmx") == "object"
    page.context.close()


def test_a_bad_row_is_named_and_nothing_is_written(browser, live_url, tmp_path, shot):
    page = login(browser, live_url, "township", PHONE)
    upload(page, live_url, household_file(tmp_path / "bad.xlsx", bad_row=4))
    page.get_by_text("第 4 行“户主身份证号”列").wait_for(timeout=30_000)
    assert "未写入任何数据" in page.content()
    shot(page, "import-bad-phone")
    page.context.close()


def test_a_good_file_imports_in_the_background(browser, live_url, tmp_path, shot):
    page = login(browser, live_url, "township", PHONE)
    upload(page, live_url, household_file(tmp_path / "good.xlsx"))
    # No reload: htmx polls the job until the worker has finished it.
    page.get_by_text("导入完成").wait_for(timeout=30_000)
    shot(page, "import-done-phone")
    page.reload()
    assert "导入完成" in page.content()
    page.context.close()
