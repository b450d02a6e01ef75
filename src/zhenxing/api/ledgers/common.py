"""What the API twins of the ledgers share: refusals answered one way, the period and village
filter, the history of an entry, the detail and void routes of every ledger row
(``entry_routes``), the metrics table, and Excel downloads.

Errors take the API's one shape (``zhenxing.api.errors``): 422 the service refused the input
(Chinese, naming the field); 403 the caller's role may only read ledgers; 404 anything outside the
caller's scope, exactly like something that does not exist; 409 someone corrected the entry first.
"""

import datetime as dt
import inspect
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as Unprocessable

from zhenxing.accounts.scoping import Scope, get_visible_or_404
from zhenxing.api.errors import ErrorOut
from zhenxing.api.orders import ERRORS, field_errors, invalid
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import XLSX_CONTENT_TYPE
from zhenxing.ledgers.selectors.common import history, villages_under
from zhenxing.ledgers.services.base import AlreadyCorrected
from zhenxing.regions.models import Region

__all__ = ["ERRORS", "invalid"]


@contextmanager
def refusals(**rename: str) -> Iterator[None]:
    try:
        yield
    except ValidationError as exc:
        raise Unprocessable(field_errors(exc, rename)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("您不能执行此操作")) from exc
    except AlreadyCorrected as exc:
        raise HttpError(409, str(exc)) from exc


def scope_of(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined, no-any-return]


class LedgerFilter(Schema):
    period: str | None = Field(None, description="期间：2026、2026H1、2026Q2、2026-04；默认今年")
    village_id: int | None = Field(None, description="只看该村（社区）或该区域以下")


def period_of(text: str | None) -> Period:
    try:
        return Period.parse(text) if text else Period.year(timezone.localdate().year)
    except ValueError as exc:
        raise invalid("period", str(exc)) from None


def region_of(request: HttpRequest, region_id: int | None) -> Region | None:
    if region_id is None:
        return None
    return get_visible_or_404(Region, scope_of(request), pk=region_id)


def village_of(request: HttpRequest, village_id: int | None, field: str = "village_id") -> Region:
    if village_id is None:
        raise invalid(field, _("请选择村（社区）"))
    village = get_visible_or_404(Region, scope_of(request), pk=village_id)
    if not village.is_village:
        raise invalid(field, _("请选择村（社区）"))
    return village


class VersionOut(Schema):
    id: int
    supersedes_id: int | None
    recorded_by: str
    recorded_at: dt.datetime
    reason: str
    voided: bool


def version_of(entry: Any) -> dict[str, Any]:
    user = entry.recorded_by
    return {
        "id": entry.pk,
        "supersedes_id": entry.supersedes_id,
        "recorded_by": user.get_full_name() or user.username,
        "recorded_at": entry.recorded_at,
        "reason": entry.reason,
        "voided": entry.voided,
    }


class Recorded(Schema):
    """The resolvers every ledger row's schema shares; each schema still lists its own fields
    (a ``…DetailOut`` adds ``history: list[VersionOut]``)."""

    @staticmethod
    def resolve_village_name(obj: Any) -> str:
        return obj.village.name  # type: ignore[no-any-return]

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str:
        return obj.recorded_by.get_full_name() or obj.recorded_by.username  # type: ignore[no-any-return]

    @staticmethod
    def resolve_history(obj: Any) -> list[dict[str, Any]]:
        return [version_of(e) for e in history(obj)]


def sent(payload: Schema, names: Iterable[str]) -> dict[str, Any]:
    """The named fields the caller sent: a correction changes only those."""
    fields = payload.model_fields_set
    return {name: getattr(payload, name) for name in names if name in fields}


def saved(
    request: HttpRequest,
    reload: Callable[[HttpRequest, int], Any],
    service: Callable[..., Any],
    /,
    rename: dict[str, str] | None = None,
    **kwargs: Any,
) -> Status:
    """Call a recording service as the caller (``actor``) and answer 201 with the version it
    wrote, read back by ``reload`` (in the caller's scope); its refusals answered as above."""
    with refusals(**(rename or {})):
        new = service(actor=request.auth, **kwargs)  # type: ignore[attr-defined]
    return Status(201, reload(request, new.pk))


class CorrectionIn(Schema):
    reason: str = Field(description="更正原因（必填）")


class MetricOut(Schema):
    village_id: int
    village_name: str
    values: dict[str, float | int | None]


def metrics_table(
    villages: QuerySet[Region], period: Period, metrics: dict[str, Callable[..., dict[int, Any]]]
) -> list[dict[str, Any]]:
    """One row per village: every metric's value (None where the village has no rows)."""
    results = {name: fn(villages, period) for name, fn in metrics.items()}
    return [
        {
            "village_id": pk,
            "village_name": name,
            "values": {metric: values.get(pk) for metric, values in results.items()},
        }
        for pk, name in villages.order_by("path").values_list("pk", "name")
    ]


def villages_for(request: HttpRequest, region_id: int | None) -> QuerySet[Region]:
    return villages_under(scope_of(request), region_of(request, region_id))


def xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def entry_routes(
    router: Router,
    path: str,
    *,
    param: str,
    out: type[Schema],
    fetch: Callable[[HttpRequest, int], Any],
    detail_summary: str,
    void_service: Callable[..., Any],
    void_summary: str,
    entry_arg: str = "entry",
    scoped: bool = False,
) -> None:
    """The two routes every ledger row has: ``GET {path}/{param}`` (the row and its history) and
    ``POST {path}/{param}/void`` (a voiding correction with its reason), read and written in the
    caller's scope through ``fetch`` and ``void_service`` (called with ``scope`` and
    ``voided=True`` when ``scoped``: the ledgers whose one correction service also voids)."""
    name = param.removesuffix("_id")

    def detail(request: HttpRequest, **ids: int) -> Any:
        return fetch(request, ids[param])

    def void(request: HttpRequest, payload: CorrectionIn, **ids: int) -> Status:
        entry = fetch(request, ids[param])
        extra: dict[str, Any] = {"scope": scope_of(request), "voided": True} if scoped else {}
        return saved(
            request, fetch, void_service, **{entry_arg: entry}, reason=payload.reason, **extra
        )

    # ninja reads the parameters from the signature: name the id as the path does.
    request_param = inspect.Parameter("request", _POSITIONAL, annotation=HttpRequest)
    id_param = inspect.Parameter(param, _POSITIONAL, annotation=int)
    body = inspect.Parameter("payload", _POSITIONAL, annotation=CorrectionIn)
    detail.__signature__ = inspect.Signature([request_param, id_param])  # type: ignore[attr-defined]
    void.__signature__ = inspect.Signature([request_param, id_param, body])  # type: ignore[attr-defined]
    router.get(
        f"{path}/{{int:{param}}}",
        response={200: out, 404: ErrorOut},
        summary=detail_summary,
        operation_id=f"ledgers_{name}_detail",
        url_name=f"ledgers_{name}_detail",
    )(detail)
    router.post(
        f"{path}/{{int:{param}}}/void",
        response={201: out, **ERRORS},
        summary=void_summary,
        operation_id=f"ledgers_{name}_void",
        url_name=f"ledgers_{name}_void",
    )(void)


_POSITIONAL = inspect.Parameter.POSITIONAL_OR_KEYWORD
