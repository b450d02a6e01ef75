"""The pages and the API: what a person sees, refusals, and 404 out of scope."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zhenxing.grids import services, workbook
from zhenxing.grids.models import Grid, GridSettings, Pairing, Visit
from zhenxing.grids.services import GridInput
from zhenxing.grids.tests.conftest import make_village
from zhenxing.orders.models import Category, Order


@pytest.fixture
def paired(village, village_a1_user, grid_member_a1):
    """The grid member's account is the first member of the village, paired with 3 households."""
    member = village.members[0]
    grid_member_a1.person = member.person
    grid_member_a1.save(update_fields=["person"])
    for h in village.households[:3]:
        services.pairing_set(household=h, member=member, actor=village_a1_user)
    return village


def test_a_grid_member_logs_a_visit_and_the_household_page_shows_it(client, paired, grid_member_a1):
    client.force_login(grid_member_a1)
    form = client.get("/grids/visits/new/")
    body = form.content.decode()
    assert "我联系的农户" in body and body.index("0001 · 户主1") < body.index("0004 · 户主4")
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in body  # today by default
    home = paired.households[1]
    category = Category.objects.get(name="环境卫生")
    response = client.post(
        "/grids/visits/new/",
        {
            "household": home.pk,
            "visited_on": timezone.localdate().isoformat(),
            "items": ["contact", "situation"],
            "notes": "屋后水沟堵了",
            "requests": "屋后水沟需要疏通\n",
            "category": category.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/grids/households/{home.pk}/"
    page = client.get(response["Location"]).content.decode()
    order = Order.objects.get(household=home)
    assert "党员联系到户" in page and "民情走访到户" in page and "屋后水沟堵了" in page
    assert order.code in page and order.get_source_display() == "入户走访"


def test_a_visit_without_any_item_is_refused_on_the_form(client, paired, grid_member_a1):
    client.force_login(grid_member_a1)
    response = client.post(
        "/grids/visits/new/",
        {"household": paired.households[0].pk, "visited_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode() or "items" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_village_page_lists_unpaired_households_and_members_without_any(
    client, paired, village_a1_user
):
    client.force_login(village_a1_user)
    body = client.get(f"/grids/regions/{paired.region.pk}/").content.decode()
    assert 'data-grid="coverage">25.0%' in body  # 3 of 12
    assert "0012" in body and "东村党员2" in body


def test_outsiders_get_404_on_every_grid_page(client, tree, township_b_user, paired):
    grid = services.grid_save(
        village=paired.region,
        data=GridInput(level=1, name="全村", head=paired.secretary),
        actor=township_b_user.__class__.objects.get(username="village_a1_u"),
    )
    client.force_login(township_b_user)
    home = paired.households[0]
    for url in (
        f"/grids/regions/{paired.region.pk}/",
        f"/grids/regions/{paired.region.pk}/structure/",
        f"/grids/regions/{paired.region.pk}/cards/",
        f"/grids/regions/{paired.region.pk}/export.xlsx",
        f"/grids/grid/{grid.pk}/",
        f"/grids/households/{home.pk}/",
        f"/grids/visits/new/?household={home.pk}",
        f"/api/v1/grids/households/{home.pk}",
        f"/api/v1/grids/regions/{paired.region.pk}/coverage",
    ):
        response = client.get(url)
        assert response.status_code in (404, 200), url
        if "visits/new" in url:  # the form offers nothing outside the scope
            assert home.head_name not in response.content.decode()
        else:
            assert response.status_code == 404, url
    for url, data in (
        (f"/api/v1/grids/households/{home.pk}/pairing", {"member_id": paired.members[1].pk}),
        ("/api/v1/grids/visits", {"household_id": home.pk, "items": ["contact"]}),
    ):
        response = client.post(url, data, content_type="application/json")
        assert response.status_code == 404, url
    assert client.post(f"/grids/households/{home.pk}/pair/", {"member": 1}).status_code == 404
    assert Pairing.objects.filter(household=home, end_date__isnull=True).count() == 1


def test_the_api_pairs_and_logs_visits_with_field_errors(
    client, paired, village_a1_user, township_a_user, tree
):
    other = make_village(tree.village_a2, households=1, members=1)
    home = paired.households[5]
    client.force_login(township_a_user)  # sees both villages
    refused = client.post(
        f"/api/v1/grids/households/{home.pk}/pairing",
        {"member_id": other.members[0].pk},
        content_type="application/json",
    )
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["field"] == "member_id" and "不是本村党员" in error["message"]
    client.force_login(village_a1_user)  # another village's member is out of this scope
    refused = client.post(
        f"/api/v1/grids/households/{home.pk}/pairing",
        {"member_id": other.members[0].pk},
        content_type="application/json",
    )
    (error,) = refused.json()["errors"]
    assert error["message"] == "没有这名党员"  # not named, exactly like a missing one
    ok = client.post(
        f"/api/v1/grids/households/{home.pk}/pairing",
        {"member_id": paired.members[1].pk},
        content_type="application/json",
    )
    assert ok.json() == {"household_id": home.pk, "member_id": paired.members[1].pk}
    visit = client.post(
        "/api/v1/grids/visits",
        {"household_id": home.pk, "items": ["policy"], "notes": "讲解医保政策"},
        content_type="application/json",
    )
    assert visit.status_code == 201 and visit.json()["items"] == ["policy"]
    file = client.get(f"/api/v1/grids/households/{home.pk}").json()
    assert (
        file["member_id"] == paired.members[1].pk and file["visits"][0]["notes"] == "讲解医保政策"
    )
    figures = client.get(f"/api/v1/grids/regions/{paired.region.pk}/figures").json()
    assert figures["total"]["paired"] == 4 and figures["total"]["households"] == 12
    assert figures["total"]["coverage"] == 33.3 and figures["total"]["visits_month"] == 1
    # The township is out of this secretary's scope.
    assert client.get(f"/api/v1/grids/regions/{tree.township_a.pk}/figures").status_code == 404


def _sheet(rows_grid, rows_pair) -> io.BytesIO:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, header, rows in (
        (workbook.GRID_SHEET, workbook.GRID_COLUMNS, rows_grid),
        (workbook.PAIR_SHEET, workbook.PAIR_COLUMNS, rows_pair),
    ):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, header)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, row)
    book.close()
    out.seek(0)
    return out


def test_an_import_with_one_bad_row_writes_nothing_and_names_the_row(
    client, paired, village_a1_user, tree
):
    other = make_village(tree.village_a2, households=1, members=1)
    g1, g2 = paired.groups
    before = list(Pairing.objects.values_list("pk", "end_date"))
    data = _sheet(
        [
            ("全村网格", 1, "", "东村书记", "", ""),
            ("一网格", 2, "全村网格", "东村委员", g1.name, ""),
            ("二网格", 2, "全村网格", "东村党员1", g2.name, ""),  # not a cadre: row 4
        ],
        [("0005", "户主5", "东村党员2"), ("0006", "户主6", other.members[0].person.name)],
    )
    client.force_login(village_a1_user)
    response = client.post(f"/grids/regions/{paired.region.pk}/import/", {"file": data})
    body = response.content.decode()
    assert response.status_code == 400
    assert "工作表“网格”第 4 行“网格长”" in body
    assert "工作表“联户”第 3 行“联户党员”" in body and "不是本村在册党员" in body
    assert not Grid.objects.exists()
    assert list(Pairing.objects.values_list("pk", "end_date")) == before


def test_export_then_import_gives_the_same_structure(client, paired, village_a1_user):
    g1, _g2 = paired.groups
    top = services.grid_save(
        village=paired.region,
        data=GridInput(level=1, name="全村网格", head=paired.secretary),
        actor=village_a1_user,
    )
    services.grid_save(
        village=paired.region,
        data=GridInput(level=2, name="一网格", head=paired.committee, parent=top, groups=(g1,)),
        actor=village_a1_user,
    )
    client.force_login(village_a1_user)
    exported = client.get(f"/grids/regions/{paired.region.pk}/export.xlsx").content
    book = CalamineWorkbook.from_filelike(io.BytesIO(exported))
    rows = book.get_sheet_by_name("网格").to_python()
    assert rows[2][:5] == ["一网格", 2.0, "全村网格", "东村委员", g1.name]
    Grid.objects.filter(level=2).delete()
    response = client.post(
        f"/grids/regions/{paired.region.pk}/import/", {"file": io.BytesIO(exported)}
    )
    assert response.status_code == 302
    assert sorted(Grid.objects.values_list("name", "level")) == [("一网格", 2), ("全村网格", 1)]
    assert Pairing.objects.filter(end_date__isnull=True).count() == 3


def test_settings_refuse_a_lighter_load_above_the_ratio_and_save_good_values(
    client, paired, village_a1_user
):
    client.force_login(village_a1_user)
    url = f"/grids/regions/{paired.region.pk}/settings/"
    bad = {"ratio": 6, "elder_age": 70, "elder_ratio": 8, "stale_days": 30}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "年长党员联系户数须在 0 到每名党员联系户数之间" in response.content.decode()
    assert not GridSettings.objects.exists()
    assert client.post(url, {**bad, "elder_ratio": 3}).status_code == 302
    row = GridSettings.objects.get(region=paired.region)
    assert (row.ratio, row.elder_ratio) == (6, 3)


def test_a_grid_head_refused_on_the_page_names_the_rule(client, paired, village_a1_user):
    client.force_login(village_a1_user)
    url = f"/grids/regions/{paired.region.pk}/structure/"
    response = client.post(url, {"level": 1, "name": "全村", "head": paired.committee.pk})
    body = response.content.decode()
    assert response.status_code == 200 and "一级网格的网格长须为本村现任党支部书记" in body
    assert not Grid.objects.exists()
    ok = client.post(url, {"level": 1, "name": "全村", "head": paired.secretary.pk})
    assert ok.status_code == 302 and Grid.objects.get().head == paired.secretary


def test_the_region_page_shows_the_pairing_figures(client, paired, township_a_user, tree):
    client.force_login(township_a_user)
    body = client.get(f"/regions/{tree.township_a.pk}/").content.decode()
    assert 'id="grid-figures"' in body and 'data-grid="coverage">25.0%' in body
    assert 'id="chart-grid-children"' in body
