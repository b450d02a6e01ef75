"""/api/v1/ledgers/books: the 三色账 (see the page ``web.ledgers.books``); same services."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhenxing.accounts.scoping import get_visible_or_404
from zhenxing.api.ledgers import common
from zhenxing.ledgers.exports import export_bytes, export_filename
from zhenxing.ledgers.models.books import BookEntry, Colour
from zhenxing.ledgers.selectors import books as selectors
from zhenxing.ledgers.services import books as services
from zhenxing.regions.models import Household, Region

router = Router(tags=["ledgers"])

METRICS = {
    "red_entries": selectors.red_entries,
    "black_entries": selectors.black_entries,
    "black_entries_open": selectors.black_entries_open,
    "blue_entries": selectors.blue_entries,
}


class BookEntryOut(common.Recorded):
    id: int
    village_id: int
    village_name: str
    colour: str
    colour_label: str
    occurred_on: dt.date
    household_id: int | None
    household_number: str | None
    person: str
    title: str
    description: str
    publish_on: dt.date
    corrected_on: dt.date | None
    voided: bool
    supersedes_id: int | None
    recorded_by: str
    recorded_at: dt.datetime
    reason: str

    @staticmethod
    def resolve_colour_label(obj: BookEntry) -> str:
        return obj.get_colour_display()

    @staticmethod
    def resolve_household_number(obj: BookEntry) -> str | None:
        return obj.household.number if obj.household_id else None  # type: ignore[union-attr]


class BookEntryDetailOut(BookEntryOut):
    history: list[common.VersionOut]


class BookFilter(common.LedgerFilter):
    colour: Colour | None = None


class BookEntryIn(Schema):
    village_id: int
    colour: Colour
    occurred_on: dt.date
    title: str
    description: str
    household_number: str | None = Field(None, description="户号（红账、黑账填户号或当事人）")
    person: str = ""


class BookCorrectionIn(common.CorrectionIn):
    colour: Colour | None = None
    occurred_on: dt.date | None = None
    title: str | None = None
    description: str | None = None
    household_number: str | None = None
    person: str | None = None


class MarkCorrectedIn(common.CorrectionIn):
    corrected_on: dt.date


def _household(village: Region, number: str | None) -> Household | None:
    if not number:
        return None
    household = Household.objects.filter(village=village, number=number.strip()).first()
    if household is None:
        raise common.invalid(
            "household_number",
            _("%(v)s没有户号为“%(n)s”的农户") % {"v": village.name, "n": number},
        )
    return household


def _entry(request: HttpRequest, book_entry_id: int) -> BookEntry:
    qs = BookEntry.objects.select_related(*selectors.RELATED)
    return get_visible_or_404(qs, common.scope_of(request), pk=book_entry_id)


@router.get("/books", response=list[BookEntryOut], summary="三色账：当前记录")
@paginate
def book_list(request: HttpRequest, filters: Query[BookFilter]) -> QuerySet[BookEntry]:
    return selectors.book_entries(
        common.scope_of(request),
        region=common.region_of(request, filters.village_id),
        period=common.period_of(filters.period),
        colour=filters.colour or "",
    )


@router.get("/books/metrics", response=list[common.MetricOut], summary="三色账指标（每村）")
def book_metrics(request: HttpRequest, filters: Query[common.LedgerFilter]) -> list[dict]:
    return common.metrics_table(
        common.villages_for(request, filters.village_id), common.period_of(filters.period), METRICS
    )


@router.get("/books/export", summary="三色账导出 Excel")
def book_export(request: HttpRequest, filters: Query[BookFilter]) -> HttpResponse:
    region = common.region_of(request, filters.village_id)
    period = common.period_of(filters.period)
    rows = selectors.book_entries(
        common.scope_of(request), region=region, period=period, colour=filters.colour or ""
    )
    where = region.name if region else _("辖区")
    content = export_bytes(selectors.books_sheet(rows, period=period, where=where))
    return common.xlsx(content, export_filename(where, _("三色账"), period.key))


@router.post(
    "/books", response={201: BookEntryDetailOut, **common.ERRORS}, summary="三色账：记一笔"
)
def book_add(request: HttpRequest, payload: BookEntryIn) -> Status:
    village = common.village_of(request, payload.village_id)
    return common.saved(
        request,
        _entry,
        services.book_entry_add,
        rename={"household": "household_number", "village": "village_id"},
        scope=common.scope_of(request),
        village=village,
        colour=payload.colour,
        occurred_on=payload.occurred_on,
        household=_household(village, payload.household_number),
        person=payload.person,
        title=payload.title,
        description=payload.description,
    )


common.entry_routes(
    router,
    "/books",
    param="book_entry_id",
    out=BookEntryDetailOut,
    fetch=_entry,
    detail_summary="三色账：一条记录及其历史",
    void_service=services.book_entry_void,
    void_summary="三色账：作废",
    entry_arg="entry",
)


@router.post(
    "/books/{book_entry_id}/correct",
    response={201: BookEntryDetailOut, **common.ERRORS},
    summary="三色账：更正（新增一条更正记录）",
)
def book_correct(request: HttpRequest, book_entry_id: int, payload: BookCorrectionIn) -> Status:
    entry = _entry(request, book_entry_id)
    changes = payload.dict(exclude_unset=True, exclude={"reason", "household_number"})
    if "household_number" in payload.model_fields_set:
        changes["household"] = _household(entry.village, payload.household_number)
    return common.saved(
        request,
        _entry,
        services.book_entry_correct,
        rename={"household": "household_number"},
        entry=entry,
        reason=payload.reason,
        **changes,
    )


@router.post(
    "/books/{book_entry_id}/mark-corrected",
    response={201: BookEntryDetailOut, **common.ERRORS},
    summary="三色账：黑账标记已改正（黄账）",
)
def book_mark_corrected(
    request: HttpRequest, book_entry_id: int, payload: MarkCorrectedIn
) -> Status:
    entry = _entry(request, book_entry_id)
    return common.saved(
        request,
        _entry,
        services.book_entry_mark_corrected,
        entry=entry,
        corrected_on=payload.corrected_on,
        reason=payload.reason,
    )
