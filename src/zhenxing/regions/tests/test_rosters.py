"""Roster workbooks: templates, imports (all or nothing, errors named by sheet/row/column), exports."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zhenxing.core.models import Job, JobStatus
from zhenxing.core.services import MAX_STORED_ERRORS
from zhenxing.regions import rosters
from zhenxing.regions.models import (
    CadrePost,
    Education,
    Household,
    Level,
    PartyMember,
    PartyOrganization,
    Post,
    Region,
    Resident,
    Sex,
)
from zhenxing.regions.tests.factories import (
    HOUSEHOLD_HEADER,
    FakeScope,
    Tree,
    bad_checksum,
    fast_xlsx,
    household_rows,
    id_number,
    make_tree,
    nth_id,
    scope_of,
    upload,
    workbook_bytes,
)

REGISTERS = (
    Region,
    Household,
    Household.tags.through,
    Resident,
    PartyOrganization,
    PartyMember,
    CadrePost,
)


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in REGISTERS}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tree(db) -> Tree:
    return make_tree()


@pytest.fixture
def county_admin(tree: Tree) -> FakeScope:
    return scope_of(tree.county, "county_admin")


@pytest.fixture
def run_import(django_capture_on_commit_callbacks) -> Callable[..., Job]:
    """Start an import as ``user`` and run its task (the test backend runs tasks at once)."""

    def run(region: Region, data: bytes, scope: FakeScope, kind: str = rosters.ALL) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = rosters.roster_import_start(
                region=region, kind=kind, upload=upload(data), actor=None, scope=scope
            )
        job.refresh_from_db()
        return job

    return run


def sheet_rows(data: bytes) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {
        name: book.get_sheet_by_name(name).to_python()
        for name in book.sheet_names
        if name != rosters.NOTES_SHEET
    }


def export(region: Region, kind: str = rosters.ALL, *, unmasked: bool = True) -> bytes:
    out = io.BytesIO()
    rosters.export_workbook(region=region, kind=kind, unmasked=unmasked, out=out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Template
# --------------------------------------------------------------------------------------------


def test_the_template_has_a_notes_sheet_and_every_sheet_with_its_headers():
    out = io.BytesIO()
    rosters.template_workbook(out)
    book = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue()))
    assert book.sheet_names == ["说明", "区域", "农户", "居民", "党组织", "党员", "干部任职"]
    assert book.get_sheet_by_name("农户").to_python()[0] == list(HOUSEHOLD_HEADER)
    notes = book.get_sheet_by_name("说明").to_python()
    documented = {(row[0], row[1]) for row in notes if len(row) > 1}
    for sheet in rosters.SHEETS:
        for column in sheet.columns:
            assert (sheet.title, column.header) in documented


def test_an_empty_template_is_refused_as_having_no_rows(tree, county_admin):
    out = io.BytesIO()
    rosters.template_workbook(out)
    with pytest.raises(rosters.UploadRejected, match="没有数据行"):
        rosters.check_upload(upload(out.getvalue()), rosters.ALL)


# --------------------------------------------------------------------------------------------
# Good imports
# --------------------------------------------------------------------------------------------


def test_households_import_with_their_heads_groups_and_tags(tree, county_admin, run_import):
    head = id_number(1, dt.date(1980, 2, 29), male=False)
    data = workbook_bytes(
        {
            "农户": [
                HOUSEHOLD_HEADER,
                ("东村", "一组", "001", "李芳", head, "东村1号", "13800138000", 4, "低保、留守"),
                ("西村", "", "001", "王强", id_number(2), "", "", "", ""),
            ]
        }
    )
    job = run_import(tree.township_a, data, county_admin, "households")
    assert job.status == JobStatus.DONE, job.errors
    assert job.result["created"] == {"households": 2, "residents": 2}
    assert job.total == job.done == 2
    first = Household.objects.get(village=tree.village_a1, number="001")
    assert first.group == tree.group_a1
    assert (first.head_name, first.phone, first.size) == ("李芳", "13800138000", 4)
    assert sorted(t.name for t in first.tags.all()) == ["低保", "留守"]
    person = Resident.objects.get(id_number=head)
    assert (person.household, person.region, person.sex, person.birth_date) == (
        first,
        tree.village_a1,
        Sex.FEMALE,
        dt.date(1980, 2, 29),
    )
    second = Household.objects.get(village=tree.village_a2)
    assert (second.size, second.phone, second.tags.count()) == (1, "", 0)


def test_dates_are_read_from_excel_dates_and_three_text_forms():
    for value in (
        dt.date(2024, 3, 1),
        dt.datetime(2024, 3, 1),
        "2024-03-01",
        "2024/3/1",
        "2024年3月1日",
        "2024.3.1",
        45352.0,
    ):
        assert rosters.parse_date(value) == dt.date(2024, 3, 1), value
    for bad in ("2024-13-01", "3/1/2024", "昨天"):
        with pytest.raises(rosters.CellError):
            rosters.parse_date(bad)


def full_workbook() -> dict[str, list[tuple]]:
    secretary = id_number(10, dt.date(1988, 6, 1))
    return {
        "区域": [
            ("上级区域", "上级区划代码", "名称", "层级", "区划代码"),
            ("", "", "丙镇", "乡镇", "419901300"),
            ("丙镇", "", "北村", "村", ""),
            ("", "419901300", "河湾村", "村", ""),
            ("北村", "", "北一组", "村民小组", ""),
        ],
        "农户": [
            HOUSEHOLD_HEADER,
            ("东村", "一组", "D01", "赵大", secretary, "东村1号", "13800000001", 3, "军烈属"),
            ("西村", "", "X01", "钱二", id_number(11), "", "0371-63123456", 2, ""),
            ("北村", "北一组", "B01", "孙三", id_number(12, dt.date(1950, 1, 1)), "", "", 1, ""),
        ],
        "居民": [
            ("户籍所在地", "户号", "姓名", "身份证号", "性别", "出生日期", "手机号", "学历"),
            ("东村", "D01", "赵大", secretary, "", "", "13900000001", "本科"),
            (
                "东村",
                "D01",
                "赵小",
                id_number(13, dt.date(2012, 5, 6), male=False),
                "",
                "",
                "",
                "小学及以下",
            ),
            ("一管区/东村", "D01", "赵老", "", "男", "1940/2/3", "", ""),
            ("甲镇", "", "周干部", id_number(14, dt.date(1990, 1, 1)), "", "", "", "研究生"),
        ],
        "党组织": [
            ("所在区域", "名称", "类型"),
            ("东村", "东村党支部", "村党支部"),
            ("丙镇", "丙镇党委", "乡镇党委"),
        ],
        "党员": [
            ("身份证号", "姓名", "所在党组织", "党员类别", "入党日期", "状态"),
            (secretary, "赵大", "东村党支部", "正式党员", "2010年7月1日", ""),
            (
                id_number(14, dt.date(1990, 1, 1)),
                "",
                "丙镇党委",
                "预备党员",
                dt.date(2023, 7, 1),
                "在册",
            ),
        ],
        "干部任职": [
            ("身份证号", "姓名", "任职区域", "职务", "任职日期", "离任日期"),
            (secretary, "赵大", "东村", "村党支部书记", "2021-01-15", ""),
            (secretary, "赵大", "东村", "村委会主任", "2021-01-15", ""),
            (
                id_number(14, dt.date(1990, 1, 1)),
                "周干部",
                "甲镇",
                "包村干部",
                "2020-03-01",
                "2023-03-01",
            ),
        ],
    }


def test_a_workbook_of_every_sheet_imports_in_order(tree, county_admin, run_import):
    job = run_import(tree.county, workbook_bytes(full_workbook()), county_admin)
    assert job.status == JobStatus.DONE, job.errors
    assert job.result["rows"] == {
        "regions": 4,
        "households": 3,
        "residents": 4,
        "organizations": 2,
        "members": 2,
        "cadres": 3,
    }
    # The head's 居民 row completes the head made from the 农户 row: no second person.
    assert job.result["created"]["residents"] == 3 + 3
    town = Region.objects.get(name="丙镇")
    assert (town.level, town.code, Region.objects.get_parent(town)) == (
        Level.TOWNSHIP,
        "419901300",
        tree.county,
    )
    group = Region.objects.get(name="北一组")
    assert Region.objects.get_parent(group).name == "北村" and group.level == Level.GROUP
    assert Region.objects.get_parent(Region.objects.get(name="河湾村")) == town
    head = Resident.objects.get(name="赵大")
    assert (head.phone, head.education, head.household.number) == (
        "13900000001",
        Education.BACHELOR,
        "D01",
    )
    old = Resident.objects.get(name="赵老")
    assert (old.id_number, old.sex, old.birth_date) == (None, Sex.MALE, dt.date(1940, 2, 3))
    assert Household.objects.get(number="B01").group == group
    assert PartyMember.objects.get(person=head).organization.name == "东村党支部"
    cadre = Resident.objects.get(name="周干部")
    assert cadre.region == tree.township_a and cadre.education == Education.POSTGRADUATE
    assert PartyMember.objects.get(person=cadre).kind == "probationary"
    assert set(CadrePost.objects.filter(person=head).values_list("post", flat=True)) == {
        Post.SECRETARY,
        Post.DIRECTOR,
    }
    assert CadrePost.objects.get(person=cadre).end_date == dt.date(2023, 3, 1)


def wipe_registers() -> None:
    for model in (
        CadrePost,
        PartyMember,
        Household.tags.through,
        Resident,
        Household,
        PartyOrganization,
        Job,
    ):
        model.objects.all().delete()
    Region.objects.all().delete()


def test_an_export_imports_again_into_a_fresh_region_unchanged(tree, county_admin, run_import):
    first = run_import(tree.county, workbook_bytes(full_workbook()), county_admin)
    assert first.status == JobStatus.DONE, first.errors
    exported = export(tree.county)
    before = sheet_rows(exported)
    assert len(before["农户"]) == 1 + 3 and len(before["居民"]) == 1 + 6
    wipe_registers()  # ID numbers are unique across the whole deployment

    root = FakeScope()  # the whole deployment
    fresh = Region.objects.add_root({"name": "新县", "level": Level.COUNTY})
    again = run_import(fresh, exported, root)
    assert again.status == JobStatus.DONE, again.errors
    assert sheet_rows(export(fresh)) == before


def test_an_export_masks_phone_and_id_numbers_unless_allowed(tree, county_admin, run_import):
    run_import(tree.county, workbook_bytes(full_workbook()), county_admin)
    tree.township_a.refresh_from_db()  # 丙镇 sorts before it: treebeard shifted its path
    masked = sheet_rows(export(tree.township_a, "households", unmasked=False))["农户"]
    header = masked[0]
    row = next(r for r in masked if r[header.index("户号")] == "D01")
    assert (
        row[header.index("户主身份证号")]
        == "110105********" + id_number(10, dt.date(1988, 6, 1))[-4:]
    )
    assert row[header.index("联系电话")] == "138****0001"
    assert list(sheet_rows(export(tree.township_a, "households", unmasked=False))) == ["农户"]
    # Only the subtree: 乙镇 and 丙镇 households are not in 甲镇's export.
    assert sorted(r[2] for r in masked[1:]) == ["D01", "X01"]


# --------------------------------------------------------------------------------------------
# Bad rows: named by sheet, row and column; nothing written
# --------------------------------------------------------------------------------------------

GOOD_ID = id_number(100)
RESIDENT_HEADER = ("户籍所在地", "户号", "姓名", "身份证号", "性别", "出生日期", "手机号", "学历")


def household(village="东村", group="", number="N1", name="张三", idn=GOOD_ID, phone="", tags=""):
    return (village, group, number, name, idn, "", phone, 2, tags)


BAD_ROWS: list[tuple[str, dict[str, list[tuple]], str]] = [
    (
        "bad ID checksum",
        {
            "农户": [
                HOUSEHOLD_HEADER,
                household(),
                household(number="N2", idn=bad_checksum(id_number(101))),
            ]
        },
        "工作表“农户”第 3 行“户主身份证号”列：身份证号校验位不正确",
    ),
    (
        "ID typed as a number",
        {"农户": [HOUSEHOLD_HEADER, household(idn=110105197001010011.0)]},
        "工作表“农户”第 2 行“户主身份证号”列：身份证号应按文本格式填写",
    ),
    (
        "village outside the target region",
        {
            "农户": [
                HOUSEHOLD_HEADER,
                household(),
                household(village="南村", number="N2", idn=id_number(101)),
            ]
        },
        "工作表“农户”第 3 行“村（社区）”列：在“甲镇”下找不到村（社区）“南村”",
    ),
    (
        "village that is not a village",
        {"农户": [HOUSEHOLD_HEADER, household(village="一管区")]},
        "工作表“农户”第 2 行“村（社区）”列：在“甲镇”下找不到村（社区）“一管区”",
    ),
    (
        "unknown group",
        {"农户": [HOUSEHOLD_HEADER, household(group="九组")]},
        "工作表“农户”第 2 行“村民小组”列：“东村”下没有名为“九组”的村民小组",
    ),
    (
        "household number twice in the file",
        {"农户": [HOUSEHOLD_HEADER, household(), household(idn=id_number(101))]},
        "工作表“农户”第 3 行“户号”列：户号在本文件中重复：“东村”第 2 行已有户号“N1”",
    ),
    (
        "household number already registered",
        {"农户": [HOUSEHOLD_HEADER, household(number="OLD")]},
        "工作表“农户”第 2 行“户号”列：“东村”已有户号为“OLD”的农户",
    ),
    (
        "ID number twice in the file",
        {"农户": [HOUSEHOLD_HEADER, household(), household(number="N2")]},
        "工作表“农户”第 3 行“户主身份证号”列：身份证号在本文件中重复（与工作表“农户”第 2 行相同）",
    ),
    (
        "ID number already registered",
        {"农户": [HOUSEHOLD_HEADER, household(idn=id_number(499))]},
        "工作表“农户”第 2 行“户主身份证号”列：该身份证号已登记，不能重复导入",
    ),
    (
        "bad phone",
        {"农户": [HOUSEHOLD_HEADER, household(phone="12345")]},
        "工作表“农户”第 2 行“联系电话”列：电话号码格式不正确",
    ),
    (
        "unknown tag",
        {"农户": [HOUSEHOLD_HEADER, household(tags="低保、贫困")]},
        "工作表“农户”第 2 行“标签”列：没有名为“贫困”的标签",
    ),
    (
        "required cell empty",
        {"农户": [HOUSEHOLD_HEADER, household(name="")]},
        "工作表“农户”第 2 行“户主姓名”列：必填，不能为空",
    ),
    (
        "region level not allowed under its parent",
        {"区域": [("上级区域", "名称", "层级"), ("", "新村", "村"), ("", "三组", "村民小组")]},
        "工作表“区域”第 3 行“层级”列：“甲镇”（乡镇）下不能设村民小组",
    ),
    (
        "region name taken under its parent",
        {"区域": [("上级区域", "名称", "层级"), ("一管区", "东村", "村")]},
        "工作表“区域”第 2 行“名称”列：“一管区”下已有名为“东村”的区域",
    ),
    (
        "bad date",
        {"居民": [RESIDENT_HEADER, ("东村", "", "李四", "", "男", "2024-13-01", "", "")]},
        "工作表“居民”第 2 行“出生日期”列：日期不正确",
    ),
    (
        "sex contradicting the ID number",
        {
            "居民": [
                RESIDENT_HEADER,
                ("东村", "", "李四", id_number(102, male=True), "女", "", "", ""),
            ]
        },
        "工作表“居民”第 2 行“性别”列：性别与身份证号不符",
    ),
    (
        "unknown education",
        {"居民": [RESIDENT_HEADER, ("东村", "", "李四", id_number(102), "", "", "", "博士后")]},
        "工作表“居民”第 2 行“学历”列：应为以下之一：小学及以下",
    ),
    (
        "household number unknown for a resident",
        {"居民": [RESIDENT_HEADER, ("西村", "X99", "李四", id_number(102), "", "", "", "")]},
        "工作表“居民”第 2 行“户号”列：“西村”没有户号为“X99”的农户",
    ),
    (
        "unknown organisation kind",
        {"党组织": [("所在区域", "名称", "类型"), ("东村", "东村支部", "党小组")]},
        "工作表“党组织”第 2 行“类型”列：应为以下之一",
    ),
    (
        "member not registered in the region",
        {
            "党员": [
                ("身份证号", "所在党组织", "入党日期"),
                (id_number(103), "东村党支部", "2001-07-01"),
            ]
        },
        "工作表“党员”第 2 行“身份证号”列：“甲镇”内没有登记该身份证号的居民",
    ),
    (
        "member of an unknown organisation",
        {
            "党员": [
                ("身份证号", "所在党组织", "入党日期"),
                (id_number(499), "西村党支部", "2001-07-01"),
            ]
        },
        "工作表“党员”第 2 行“所在党组织”列：在“甲镇”下找不到党组织“西村党支部”",
    ),
    (
        "member name contradicting the register",
        {
            "党员": [
                ("身份证号", "姓名", "所在党组织", "入党日期"),
                (id_number(499), "别人", "东村党支部", "2001-07-01"),
            ]
        },
        "工作表“党员”第 2 行“姓名”列：姓名与该身份证号登记的姓名“老户主”不一致",
    ),
    (
        "cadre post ending before it starts",
        {
            "干部任职": [
                ("身份证号", "任职区域", "职务", "任职日期", "离任日期"),
                (id_number(499), "东村", "两委委员", "2021-01-01", "2020-01-01"),
            ]
        },
        "工作表“干部任职”第 2 行“离任日期”列：离任日期不能早于任职日期",
    ),
    (
        "unknown post",
        {
            "干部任职": [
                ("身份证号", "任职区域", "职务", "任职日期"),
                (id_number(499), "东村", "村长", "2021-01-01"),
            ]
        },
        "工作表“干部任职”第 2 行“职务”列：应为以下之一",
    ),
]


@pytest.mark.parametrize(
    ("sheets", "expected"), [case[1:] for case in BAD_ROWS], ids=[case[0] for case in BAD_ROWS]
)
def test_a_bad_row_is_named_and_nothing_is_written(
    tree, county_admin, run_import, sheets, expected
):
    old = Household.objects.create(village=tree.village_a1, number="OLD", head_name="老户主")
    Resident.objects.create(
        region=tree.village_a1,
        household=old,
        name="老户主",
        sex=Sex.MALE,
        birth_date=dt.date(1970, 1, 1),
        id_number=id_number(499),
    )
    PartyOrganization.objects.create(
        region=tree.village_a1, name="东村党支部", kind="village_branch"
    )
    before = counts()
    job = run_import(tree.township_a, workbook_bytes(sheets), county_admin)
    assert job.status == JobStatus.FAILED
    assert job.error_count == 1, job.errors
    assert job.errors[0]["text"].startswith(expected), job.errors[0]["text"]
    assert counts() == before


def test_an_ambiguous_village_name_asks_for_its_parent(tree, county_admin, run_import):
    Region.objects.add_child(tree.township_b, {"name": "西村", "level": Level.VILLAGE})
    data = workbook_bytes(
        {
            "农户": [
                HOUSEHOLD_HEADER,
                household(village="西村"),
                household(village="甲镇/西村", number="N2", idn=id_number(101)),
            ]
        }
    )
    job = run_import(tree.county, data, county_admin)
    assert job.error_count == 1
    assert job.errors[0]["text"].startswith(
        "工作表“农户”第 2 行“村（社区）”列：“西村”有 2 个同名村（社区），请写出上级区域，如“"
    )
    assert Household.objects.count() == 0


def test_every_error_is_counted_but_the_list_is_capped(tree, county_admin, run_import):
    rows = [household(number=f"N{i}", idn=bad_checksum(id_number(i))) for i in range(250)]
    job = run_import(
        tree.township_a, workbook_bytes({"农户": [HOUSEHOLD_HEADER, *rows]}), county_admin
    )
    assert job.status == JobStatus.FAILED
    assert job.error_count == 250
    assert len(job.errors) == MAX_STORED_ERRORS
    assert [e["row"] for e in job.errors[:3]] == [2, 3, 4]


# --------------------------------------------------------------------------------------------
# Bad uploads and scope
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind", "message"),
    [
        ("a.csv", b"a,b\n1,2\n", rosters.ALL, "不是 Excel .xlsx 文件"),
        ("a.xlsx", b"PK\x03\x04 not really a zip", rosters.ALL, "无法读取该文件"),
        ("a.xlsx", b"", rosters.ALL, "文件是空的"),
        ("a.xlsx", workbook_bytes({"Sheet1": [("x",)]}), rosters.ALL, "没有可导入的工作表"),
        ("a.xlsx", workbook_bytes({"农户": [("户号", "户主")]}), rosters.ALL, "无法识别的列“户主”"),
        (
            "a.xlsx",
            workbook_bytes({"农户": [("户号",), ("1",)]}),
            "households",
            "缺少必填列：户主姓名、户主身份证号",
        ),
        ("a.xlsx", workbook_bytes({"农户": [HOUSEHOLD_HEADER]}), "households", "没有数据行"),
        (
            "a.xlsx",
            workbook_bytes({"农户": [HOUSEHOLD_HEADER, household()]}),
            "regions",
            "文件中的工作表是“农户”，与所选的“区域”不符",
        ),
        (
            "a.xlsx",
            workbook_bytes({"农户": [HOUSEHOLD_HEADER], "党员": [("x",)]}),
            "regions",
            "没有名为“区域”的工作表",
        ),
    ],
)
def test_a_bad_upload_is_refused_with_a_message_and_no_job(
    tree, county_admin, name, data, kind, message
):
    before = counts()
    with pytest.raises(rosters.UploadRejected, match=message):
        rosters.roster_import_start(
            region=tree.township_a,
            kind=kind,
            upload=upload(data, name),
            actor=None,
            scope=county_admin,
        )
    assert counts() == before and Job.objects.count() == 0


def test_a_too_large_upload_is_refused(tree, county_admin):
    big = upload(b"PK\x03\x04")
    big.size = rosters.MAX_UPLOAD_BYTES + 1
    with pytest.raises(rosters.UploadRejected, match=r"文件太大.*上限为 60 MB"):
        rosters.check_upload(big, rosters.ALL)


def test_a_sheet_renamed_by_the_user_is_taken_when_it_is_the_only_one(
    tree, county_admin, run_import
):
    data = workbook_bytes({"Sheet1": [HOUSEHOLD_HEADER, household()]})
    job = run_import(tree.township_a, data, county_admin, "households")
    assert job.status == JobStatus.DONE and Household.objects.count() == 1


def test_an_import_outside_the_scope_is_refused(tree):
    scope = scope_of(tree.township_b, "township_admin")
    data = workbook_bytes({"农户": [HOUSEHOLD_HEADER, household()]})
    with pytest.raises(PermissionDenied):
        rosters.roster_import_start(
            region=tree.township_a,
            kind=rosters.ALL,
            upload=upload(data),
            actor=None,
            scope=scope,
        )
    assert Job.objects.count() == 0


def test_a_role_without_import_rights_is_refused(tree):
    scope = scope_of(tree.village_a1, "grid_member")
    data = workbook_bytes({"农户": [HOUSEHOLD_HEADER, household(village="")]})
    with pytest.raises(PermissionDenied):
        rosters.roster_import_start(
            region=tree.village_a1,
            kind=rosters.ALL,
            upload=upload(data),
            actor=None,
            scope=scope,
        )


def test_a_village_import_may_leave_the_village_column_empty(tree, run_import):
    scope = scope_of(tree.village_a1, "village_secretary")
    data = workbook_bytes({"农户": [HOUSEHOLD_HEADER, household(village="", group="二组")]})
    job = run_import(tree.village_a1, data, scope)
    assert job.status == JobStatus.DONE, job.errors
    assert Household.objects.get().group == tree.group_a2


# --------------------------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------------------------


def test_a_running_job_without_heartbeat_shows_as_interrupted(tree, county_admin):
    now = timezone.now()
    job = Job.objects.create(
        kind=rosters.JOB_KIND,
        region=tree.county,
        status=JobStatus.VALIDATING,
        total=1000,
        heartbeat_at=now - dt.timedelta(minutes=1),
    )
    assert not job.is_interrupted(now) and job.state == "validating"
    assert job.is_interrupted(now + dt.timedelta(minutes=2))
    job.heartbeat_at = now - dt.timedelta(minutes=3)
    assert job.interrupted and job.state == "interrupted" and job.state_label == "已中断"
    assert job.stopped
    # A long write is allowed time in proportion to its rows before it counts as interrupted.
    job.status, job.total = JobStatus.WRITING, 100_000
    assert not job.interrupted


def test_an_interrupted_job_runs_again_from_its_kept_file(
    tree, county_admin, run_import, django_capture_on_commit_callbacks
):
    data = workbook_bytes({"农户": [HOUSEHOLD_HEADER, household()]})
    scope = county_admin
    job = rosters.roster_import_start(  # queued, never run: then its worker "died"
        region=tree.township_a,
        kind="households",
        upload=upload(data),
        actor=None,
        scope=scope,
    )
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.VALIDATING, heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    job.refresh_from_db()
    assert job.interrupted and Household.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        again = rosters.roster_import_retry(job=job, actor=None, scope=scope)
    again.refresh_from_db()
    assert again.status == JobStatus.DONE and again.file.name == job.file.name
    assert Household.objects.count() == 1
    with pytest.raises(rosters.UploadRejected):
        rosters.roster_import_retry(job=again, actor=None, scope=scope)


def test_the_uploaded_file_is_kept_with_the_job(tree, county_admin, run_import, settings):
    data = workbook_bytes({"农户": [HOUSEHOLD_HEADER, household(idn=bad_checksum(GOOD_ID))]})
    job = run_import(tree.township_a, data, county_admin)
    assert job.status == JobStatus.FAILED
    assert job.file.name.startswith("jobs/") and job.original_name == "rosters.xlsx"
    with job.file.open("rb") as kept:
        assert kept.read() == data
    assert str(settings.MEDIA_ROOT) in job.file.path


# --------------------------------------------------------------------------------------------
# 100,000 households
# --------------------------------------------------------------------------------------------

BIG = 100_000
BAD_ROW = 73_211  # Excel row: the header is row 1


@pytest.fixture(scope="module")
def big_files() -> tuple[bytes, bytes]:
    """One good 100,000-row file and the same with one bad ID number, built once."""
    rows = [HOUSEHOLD_HEADER, *household_rows(BIG, ["东村", "西村", "一管区/东村"])]
    good = fast_xlsx({"农户": rows})
    bad_index = BAD_ROW - 1
    row = list(rows[bad_index])
    row[4] = bad_checksum(row[4])
    rows[bad_index] = tuple(row)
    return good, fast_xlsx({"农户": rows})


@pytest.mark.slow
def test_100000_households_import_with_exact_counts(tree, county_admin, run_import, big_files):
    job = run_import(tree.township_a, big_files[0], county_admin, "households")
    assert job.status == JobStatus.DONE, job.errors[:3]
    assert (job.total, job.done) == (BIG, BIG)
    assert job.result["created"] == {"households": BIG, "residents": BIG}
    assert Household.objects.count() == BIG
    assert Resident.objects.filter(household__isnull=False).count() == BIG
    assert Household.tags.through.objects.count() == 2 * BIG // 10
    assert Household.objects.filter(village=tree.village_a1).count() == BIG - BIG // 3
    assert Resident.objects.get(id_number=nth_id(BIG - 1)).household.number == f"H{BIG - 1:07d}"


@pytest.mark.slow
def test_100000_households_with_one_bad_id_write_nothing(tree, county_admin, run_import, big_files):
    before = counts()
    job = run_import(tree.township_a, big_files[1], county_admin, "households")
    assert job.status == JobStatus.FAILED
    assert [e["text"] for e in job.errors] == [
        f"工作表“农户”第 {BAD_ROW} 行“户主身份证号”列：身份证号校验位不正确"
    ]
    assert counts() == before
    assert connection.in_atomic_block  # the test's own transaction, nothing left half-open


def test_rows_are_numbered_as_excel_shows_them_even_below_empty_rows(tree, county_admin):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    ws = book.add_worksheet("农户")
    ws.write_row(2, 1, HOUSEHOLD_HEADER)  # header in B3
    ws.write_row(3, 1, household())
    ws.write_row(5, 1, household(number="N2", idn="123"))  # B6, after an empty row
    book.close()
    plan = rosters.validate(
        region=tree.township_a, sheets=rosters.read_workbook(io.BytesIO(out.getvalue()), "all")
    )
    assert [(e.row, e.column) for e in plan.errors] == [(6, "户主身份证号")]
