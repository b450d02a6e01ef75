"""Reads of the star applications: one application with everything its pages show, the stars its
data earns (the run's computed indicators plus the township's judgements), and the lists by state.

Like the other selectors they take objects the caller fetched through the scoping module, or a
scope, and read only what lies under it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from zhenxing.accounts.scoping import Scope, visible
from zhenxing.regions.models import Level, Region, Resident
from zhenxing.stars.models import (
    Application,
    ApplicationEvent,
    ApplicationStar,
    AppState,
    EvaluationRun,
    Evidence,
    Indicator,
    IndicatorResult,
    Judgement,
    Objection,
    ObjectionDecision,
    Outcome,
    RevocationProposal,
    Standard,
    Star,
    Task,
    VetoScope,
)
from zhenxing.stars.rules import star_outcomes
from zhenxing.stars.selectors.evaluation import latest_run_covering
from zhenxing.stars.states import AppAction


def standard_parts(standard: Standard) -> tuple[list[Star], dict[int, list[Indicator]]]:
    """The standard's stars in order and ``{star id: its indicators}`` (two queries)."""
    stars = list(standard.stars.order_by("sort"))
    by_star: dict[int, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(star__standard=standard).order_by(
        "star__sort", "sort"
    ):
        by_star.setdefault(indicator.star_id, []).append(indicator)
    return stars, by_star


def judged_indicators(
    by_star: dict[int, list[Indicator]], star_ids: set[int] | list[int]
) -> list[Indicator]:
    """The judged indicators a claim of ``star_ids`` must answer: those of the stars, and every
    judged veto of the standard that fails the whole branch (``veto: branch``)."""
    wanted = set(star_ids)
    return [
        i
        for sid, found in by_star.items()
        for i in found
        if i.judged and (sid in wanted or i.veto == VetoScope.BRANCH)
    ]


def _run_id(application: Application) -> int | None:
    """The run the application rests on: its own once self-assessed, before that the latest run
    covering the village under the application's standard (what a self-assessment would take)."""
    if application.run_id is not None:
        return application.run_id
    run = latest_run_covering(application.region)
    return run.pk if run is not None and run.standard_id == application.standard_id else None


def indicator_outcomes(
    application: Application,
    by_star: dict[int, list[Indicator]],
    judgements: dict[int, bool] | None = None,
    *,
    run_id: int | None = None,
) -> dict[int, str]:
    """``{indicator id: outcome}`` of the application's village: computed indicators from its
    run (or ``run_id``), judged ones from the township's judgements (``judgements`` overrides the
    stored ones: ``{indicator id: met}``), pending where none is given."""
    computed = dict(
        IndicatorResult.objects.filter(
            run_id=run_id or _run_id(application), village_id=application.region_id
        ).values_list("indicator_id", "outcome")
    )
    decided = (
        dict(Judgement.objects.filter(application=application).values_list("indicator_id", "met"))
        if application.pk
        else {}
    )
    decided |= judgements or {}
    outcomes: dict[int, str] = {}
    for found in by_star.values():
        for indicator in found:
            if indicator.judged:
                met = decided.get(indicator.pk)
                outcomes[indicator.pk] = (
                    Outcome.PENDING if met is None else Outcome.MET if met else Outcome.NOT_MET
                )
            else:
                outcomes[indicator.pk] = computed.get(indicator.pk, Outcome.NO_DATA)
    return outcomes


def application_outcomes(
    application: Application, judgements: dict[int, bool] | None = None
) -> dict[int, tuple[str, str]]:
    """``{star id: (outcome, reason)}``: what the application's data earns (``stars.rules``)."""
    stars, by_star = standard_parts(application.standard)
    return star_outcomes(stars, by_star, indicator_outcomes(application, by_star, judgements))


def application_for(region: Region, standard: Standard) -> Application | None:
    """The region's application under ``standard`` (the region fetched through scoping)."""
    return (
        Application.objects.select_related("region", "standard", "run")
        .filter(region=region, standard=standard)
        .first()
    )


@dataclass(frozen=True)
class Disagreement:
    """A newer evaluation (测评) of the village under the same standard that disagrees with the one
    the application was judged on: the stars whose outcome changed and the indicators behind it,
    each as (name, outcome then, outcome now)."""

    run: EvaluationRun
    stars: list[tuple[str, str, str]]
    indicators: list[tuple[str, str, str]]


def newer_disagreement(
    application: Application,
    stars: list[Star],
    by_star: dict[int, list[Indicator]],
    outcomes: dict[int, str],
    earned: dict[int, tuple[str, str]],
) -> Disagreement | None:
    """For an application resting on its own run (self-assessed or later): the newest run covering
    the village under the same standard, if it is newer and disagrees on any star (two queries,
    three more when there is a newer run)."""
    if application.run_id is None:
        return None
    newest = latest_run_covering(application.region)
    if (
        newest is None
        or newest.pk == application.run_id
        or newest.standard_id != application.standard_id
        or newest.started_at < application.run.started_at
    ):
        return None
    now = indicator_outcomes(application, by_star, run_id=newest.pk)
    now_earned = star_outcomes(stars, by_star, now)
    label = dict(Outcome.choices)
    changed_stars = [
        (s.name, str(label[earned[s.pk][0]]), str(label[now_earned[s.pk][0]]))
        for s in stars
        if earned[s.pk][0] != now_earned[s.pk][0]
    ]
    if not changed_stars:
        return None
    changed = [
        (i.name, str(label[outcomes[i.pk]]), str(label[now[i.pk]]))
        for found in by_star.values()
        for i in found
        if outcomes[i.pk] != now[i.pk]
    ]
    return Disagreement(run=newest, stars=changed_stars, indicators=changed)


@dataclass
class StarLine:
    star: Star
    row: ApplicationStar | None
    outcome: str = ""
    reason: str = ""
    indicators: list[IndicatorLine] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return self.row is not None and self.row.held


@dataclass
class IndicatorLine:
    indicator: Indicator
    outcome: str
    evidence: list[Evidence]
    judgement: Judgement | None


@dataclass
class ApplicationView:
    application: Application
    stars: list[StarLine]
    tasks: list
    events: list[ApplicationEvent]
    objections: list[Objection]
    newer: Disagreement | None = None  # a newer evaluation disagrees with the one judged on
    proposals: list = field(default_factory=list)  # 摘星建议, newest first

    @property
    def held(self) -> int:
        return sum(1 for s in self.stars if s.held)

    @property
    def goal(self) -> list[Star]:
        return [s.star for s in self.stars if s.row and s.row.goal]

    @property
    def claimed(self) -> list[Star]:
        return [s.star for s in self.stars if s.row and s.row.claimed]

    @property
    def recommended(self) -> list[Star]:
        return [s.star for s in self.stars if s.row and s.row.recommended]

    @property
    def pending_objections(self) -> int:
        return sum(1 for o in self.objections if o.decision == ObjectionDecision.PENDING)

    def judged_lines(self, *, claimed_only: bool = False) -> list[tuple[StarLine, IndicatorLine]]:
        wanted = {s.pk for s in self.claimed} if claimed_only else None
        return [
            (line, i)
            for line in self.stars
            for i in line.indicators
            if i.indicator.judged
            and (wanted is None or line.star.pk in wanted or i.indicator.veto == VetoScope.BRANCH)
        ]


def application_view(application: Application) -> ApplicationView:
    """Everything the application's pages show, in a fixed number of queries."""
    stars, by_star = standard_parts(application.standard)
    outcomes = indicator_outcomes(application, by_star)
    earned = star_outcomes(stars, by_star, outcomes)
    rows = {r.star_id: r for r in ApplicationStar.objects.filter(application=application)}
    evidence: dict[int, list[Evidence]] = {}
    for e in Evidence.objects.filter(application=application).select_related("added_by"):
        evidence.setdefault(e.indicator_id, []).append(e)
    judgements = {
        j.indicator_id: j
        for j in Judgement.objects.filter(application=application).select_related("decided_by")
    }
    lines = [
        StarLine(
            star=s,
            row=rows.get(s.pk),
            outcome=earned[s.pk][0],
            reason=earned[s.pk][1],
            indicators=[
                IndicatorLine(
                    indicator=i,
                    outcome=outcomes[i.pk],
                    evidence=evidence.get(i.pk, []),
                    judgement=judgements.get(i.pk),
                )
                for i in by_star.get(s.pk, [])
            ],
        )
        for s in stars
    ]
    events = list(application.events.select_related("star").order_by("-at", "-pk"))
    for event in events:
        event.action_label = (
            AppAction(event.action).label if event.action in AppAction.values else event.action
        )
    return ApplicationView(
        application=application,
        stars=lines,
        tasks=list(application.tasks.select_related("owner", "star")),
        events=events,
        objections=list(application.objections.select_related("star", "recorded_by", "decided_by")),
        newer=newer_disagreement(application, stars, by_star, outcomes, earned),
        proposals=list(
            application.proposals.select_related(
                "indicator", "objection", "decided_by"
            ).prefetch_related("stars")
        ),
    )


def held_count(application: Application) -> int:
    """Stars the application holds now: awarded and not revoked."""
    return ApplicationStar.objects.filter(
        application=application, awarded=True, revoked_at__isnull=True
    ).count()


def application_list(
    scope: Scope, standard: Standard, *, state: str = "", region: Region | None = None
) -> QuerySet[Application]:
    """The visible applications under ``standard`` (in ``state``, under ``region``), with the
    number of stars each claims, was recommended and holds."""
    qs = visible(Application.objects.filter(standard=standard), scope)
    if state:
        qs = qs.filter(state=state)
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    return (
        qs.select_related("region")
        .annotate(
            claimed=Count("stars", filter=Q(stars__claimed=True), distinct=True),
            recommended=Count("stars", filter=Q(stars__recommended=True), distinct=True),
            held=Count(
                "stars",
                filter=Q(stars__awarded=True, stars__revoked_at__isnull=True),
                distinct=True,
            ),
            objections_open=Count(
                "objections",
                filter=Q(objections__decision=ObjectionDecision.PENDING),
                distinct=True,
            ),
        )
        .order_by("region__path")
    )


def state_counts(scope: Scope, standard: Standard, *, region: Region | None = None) -> dict:
    """``{state: applications}`` for every state, zeros included."""
    qs = visible(Application.objects.filter(standard=standard), scope)
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    found = Counter(dict(qs.values_list("state").annotate(n=Count("pk")).order_by()))
    return {s: found.get(s, 0) for s in AppState.values}


def task_owners(village: Region) -> list[Resident]:
    """Who may own a task: the village's cadres in post (村两委), by name."""
    return list(
        Resident.objects.filter(
            posts__region=village,
            posts__end_date__isnull=True,
            region__path__startswith=village.path,
        )
        .distinct()
        .order_by("name")
    )


def application_part(application: Application, model: type, pk: int, scope: Scope):
    """An object a form or an API call names by id for an action on ``application``, among those
    it may name: the standard's stars and indicators, the application's tasks and objections, the
    people of its village (through the scoping module). None when there is no such object."""
    among = {
        Star: lambda: Star.objects.filter(standard=application.standard),
        Indicator: lambda: Indicator.objects.filter(star__standard=application.standard),
        Task: lambda: Task.objects.filter(application=application),
        Objection: lambda: Objection.objects.filter(application=application),
        RevocationProposal: lambda: RevocationProposal.objects.filter(application=application),
        Resident: lambda: visible(Resident.objects.all(), scope).filter(
            region__path__startswith=application.region.path
        ),
    }
    return among[model]().filter(pk=pk).first()


def application_rows(
    scope: Scope, standard: Standard, region: Region, *, state: str = ""
) -> tuple[list[Application], int]:
    """``application_list`` with each row's township name (``.township``), and how many
    townships lie under ``region`` (two queries)."""
    townships = list(
        visible(Region.objects.filter(path__startswith=region.path, level=Level.TOWNSHIP), scope)
    )
    rows = list(application_list(scope, standard, state=state))
    for row in rows:
        row.township = next((t.name for t in townships if row.region.path.startswith(t.path)), "")
    return rows, len(townships)
