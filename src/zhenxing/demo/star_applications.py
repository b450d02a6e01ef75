"""Demo star applications (创星申报) for the demo's two star years (``DemoPlan``), written
through the services.

- The finished year: every village whose data earns a star goes the whole way in the weeks after
  the year (年度创评) — goal and tasks, self-assessment with evidence, township review (the judged
  indicators recorded as met), approval at the level the standard names, notice, final — so the
  results pages have the plan's spread of star counts. Two objections (one rejected, one upheld
  and re-approved) and one star revoked afterwards.
- The year under way: every village set its goal and tasks in January; 裴岗镇 (the demo
  accounts' township) is at every stage up to approval (none published yet), and the `village` login's village is left in draft with
  a goal and tasks for a person (or the browser test) to carry on; in 城关镇 and 上庄镇 the
  villages whose data earns a star have assessed themselves.

The villages and townships other than the demo accounts' act through inactive accounts with no
scope (``demo-star-…``, no password: nobody signs in with them), so every event names who acted.
Villages whose data earns no star keep only their goal (they did not apply that year).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from zhenxing.accounts.models import Role, User
from zhenxing.accounts.scoping import scope_for
from zhenxing.demo.plan import DemoPlan
from zhenxing.demo.stars import evaluate, standards_for
from zhenxing.ledgers.models.incidents import Incident, IncidentKind
from zhenxing.regions.models import VILLAGE_LEVELS, Level, Region, Resident
from zhenxing.stars.models import (
    Application,
    ApplicationEvent,
    AppState,
    EvaluationRun,
    Evidence,
    IndicatorResult,
    Outcome,
    ProposalState,
    RevocationProposal,
    Standard,
    Task,
)
from zhenxing.stars.rules import star_outcomes
from zhenxing.stars.selectors.applications import standard_parts, task_owners
from zhenxing.stars.services import applications as svc
from zhenxing.stars.services import revocations
from zhenxing.stars.states import AppAction

USER_PREFIX = "demo-star-"
# (title, due: days after the goal was set, done on time when due before the reference date)
TASKS = (
    ("召开党员大会部署创星工作", 20, True),
    ("完善三会一课记录", 60, True),
    ("发展一村一品特色产业", 150, True),
    ("开展美丽庭院评选", 200, False),
    ("整理创星佐证材料", 300, False),
)
EVIDENCE_TEXT = {
    "clean_team": "乡镇纪委出具的班子成员无违纪违法情况说明",
    "one_product": "产业项目立项材料、合作社账目及基地照片",
    "toilets": "改厕台账：全村卫生厕所普及情况",
}


def _actor(username: str, role: str, name: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "first_name": name, "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _at(day: dt.date, days: int = 0, hour: int = 10) -> dt.datetime:
    day = day + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class _Year:
    """One star year's applications: the standard, its evaluation's outcomes, and the rows
    written in bulk for the many villages at once."""

    def __init__(self, standard: Standard, run: EvaluationRun, county_admin: User) -> None:
        self.standard = standard
        self.county = county_admin
        self.county_scope = scope_for(county_admin)
        self.stars, self.by_star = standard_parts(standard)
        self.judged = [i for found in self.by_star.values() for i in found if i.judged]
        self.counts = {"applications": 0, "final": 0, "objections": 0, "revoked": 0}
        self.tasks: list[Task] = []
        self.events: list[ApplicationEvent] = []
        self.results: dict[int, dict[int, str]] = {}
        for village_id, indicator_id, outcome in IndicatorResult.objects.filter(
            run=run
        ).values_list("village_id", "indicator_id", "outcome"):
            self.results.setdefault(village_id, {})[indicator_id] = outcome

    def earned(self, village: Region) -> list:
        """The stars the village's data earns with every judged indicator met (what the
        township's review will compute, ``rules.star_outcomes``)."""
        outcomes = dict(self.results.get(village.pk, {}))
        outcomes |= {i.pk: Outcome.MET for i in self.judged}
        for found in self.by_star.values():
            for i in found:
                outcomes.setdefault(i.pk, Outcome.NO_DATA)
        earned = star_outcomes(self.stars, self.by_star, outcomes)
        return [s for s in self.stars if earned[s.pk][0] == Outcome.MET]

    def plan(
        self,
        village: Region,
        secretary: User,
        goal: list,
        *,
        set_on: dt.date,
        today: dt.date,
        tasks: int = 3,
        bulk: bool = True,
    ) -> Application:
        """The goal set on ``set_on`` and the first ``tasks`` tasks; those planned done and due
        before ``today`` were done three days before they were due."""
        scope = self.county_scope
        app = svc.application_goal_set(
            region=village,
            standard=self.standard,
            stars=goal or self.stars[1:3],
            note="以党建引领产业发展，补齐短板，争创星级支部",
            actor=secretary,
            scope=scope,
            now=_at(set_on),
        )
        owners = task_owners(village)[:3] or list(
            Resident.objects.filter(region=village).order_by("pk")[:3]
        )
        for n, (title, due, done) in enumerate(TASKS[:tasks]):
            owner = owners[n % len(owners)] if owners else None
            due_on = set_on + dt.timedelta(days=due)
            added = _at(set_on, 1 + n, hour=11)
            done_at = _at(due_on, -3) if done and due_on - dt.timedelta(days=3) < today else None
            if not bulk:
                task = svc.application_task_add(
                    application=app,
                    title=title,
                    due_on=due_on,
                    owner=owner,
                    actor=secretary,
                    scope=scope,
                    now=added,
                )
                if done_at:
                    svc.application_task_done(
                        task=task,
                        done_on=timezone.localdate(done_at),
                        note="已按期完成",
                        actor=secretary,
                        scope=scope,
                        now=done_at,
                    )
                continue
            # The same rows application_task_add/_done write, for the many villages at once.
            self.tasks.append(
                Task(
                    application=app,
                    title=title,
                    due_on=due_on,
                    owner=owner,
                    done_on=timezone.localdate(done_at) if done_at else None,
                    note="已按期完成" if done_at else "",
                )
            )
            for action, at in ((AppAction.TASK_ADD, added), (AppAction.TASK_DONE, done_at)):
                if at is not None:
                    self.events.append(
                        ApplicationEvent(
                            application=app,
                            action=action,
                            from_state=AppState.DRAFT,
                            to_state=AppState.DRAFT,
                            actor=secretary,
                            actor_label=secretary.get_full_name() or secretary.username,
                            at=at,
                            note=title,
                        )
                    )
        self.counts["applications"] += 1
        return app

    def flush(self) -> None:
        Task.objects.bulk_create(self.tasks)
        ApplicationEvent.objects.bulk_create(self.events)
        self.tasks, self.events = [], []

    def assess(self, app: Application, secretary: User, claim: list, at: dt.datetime) -> None:
        wanted = {s.pk for s in claim}
        for indicator in self.judged:
            if indicator.star_id in wanted or indicator.veto:
                svc.application_evidence_add(
                    application=app,
                    indicator=indicator,
                    text=EVIDENCE_TEXT.get(indicator.code, "相关台账和照片"),
                    actor=secretary,
                    scope=self.county_scope,
                    now=at - dt.timedelta(days=2),
                )
        svc.application_self_assess(
            application=app,
            stars=claim,
            note="对照标准逐项自查，申报以下星级",
            actor=secretary,
            scope=self.county_scope,
            now=at,
        )

    def review(self, app: Application, township: User, claim: list, at: dt.datetime) -> None:
        wanted = {s.pk for s in claim}
        svc.application_review(
            application=app,
            judgements={
                i.pk: (True, "经实地查看，材料属实")
                for i in self.judged
                if i.star_id in wanted or i.veto
            },
            recommend=claim,
            note="",
            actor=township,
            scope=self.county_scope,
            now=at,
        )

    def approver(self, app: Application, township: User) -> User:
        level = svc.approval_level(app)
        return township if level == "township" else self.county

    def approve(self, app: Application, township: User, at: dt.datetime) -> None:
        app.refresh_from_db()
        svc.application_approve(
            application=app,
            actor=self.approver(app, township),
            scope=self.county_scope,
            now=at,
        )

    def publish(self, app: Application, at: dt.datetime) -> None:
        svc.application_publish(application=app, actor=self.county, scope=self.county_scope, now=at)


class _People:
    """Who acts for each village and township: the demo accounts for theirs, and inactive
    accounts with no scope for the others (made once, for both star years)."""

    def __init__(self, accounts: dict[str, int], demo_village: Region) -> None:
        self.county = User.objects.get(pk=accounts["county"])
        self.township_admin = User.objects.get(pk=accounts["township"])
        self.village_secretary = User.objects.get(pk=accounts["village"])
        self.demo_village = demo_village

    def own(self, township: Region) -> bool:
        return self.township_admin.scope_region_id == township.pk

    def township(self, township: Region) -> User:
        if self.own(township):
            return self.township_admin
        return _actor(f"{USER_PREFIX}t{township.pk}", Role.TOWNSHIP_ADMIN, f"{township.name}党委")

    def secretary(self, village: Region) -> User:
        if village.pk == self.demo_village.pk:
            return self.village_secretary
        return _actor(
            f"{USER_PREFIX}v{village.pk}", Role.VILLAGE_SECRETARY, f"{village.name}党支部书记"
        )


def _units(townships: list[Region]) -> list[tuple[Region, list[Region]]]:
    return [
        (
            township,
            list(
                Region.objects.filter(
                    path__startswith=township.path, level__in=VILLAGE_LEVELS
                ).order_by("path")
            ),
        )
        for township in townships
    ]


def build_star_applications(
    *, county: Region, plan: DemoPlan, accounts: dict[str, int], demo_village: Region
) -> dict[str, int]:
    """Both star years of the demo county (see the module's docstring): the village standard
    carried to each year, evaluated, the applications written, and evaluated again so that the
    estimates carry the townships' judgements."""
    people = _People(accounts, demo_village)
    standards = standards_for(plan, people.county)
    units = _units(list(Region.objects.filter(level=Level.TOWNSHIP).order_by("path")))
    counts: dict[str, int] = {}
    with transaction.atomic():
        finished = _Year(
            standards[plan.finished],
            evaluate(standards[plan.finished], county, people.county),
            people.county,
        )
        _finished_year(finished, plan, people, units)
        current = _Year(
            standards[plan.current],
            evaluate(standards[plan.current], county, people.county),
            people.county,
        )
        _current_year(current, plan, people, units)
        counts["proposals"] = _open_proposal(current, plan, people, units)
        for year in (finished, current):
            evaluate(year.standard, county, people.county)
            for key, n in year.counts.items():
                counts[key] = counts.get(key, 0) + n
    return counts


def _finished_year(year: _Year, plan: DemoPlan, people: _People, units) -> None:
    """The finished year: every village whose data earns a star goes the whole way in the first
    weeks after the year — self-assessment, township review, approval at the standard's level,
    notice, final — with one objection rejected, one upheld and re-approved, and one star
    revoked on a veto event afterwards (with all the stars the veto takes). The others keep their
    goal (they did not apply)."""
    set_on = dt.date(plan.finished, 1, 15)
    assessed = dt.date(plan.finished + 1, 1, 8)  # 年度创评: the whole year is judged
    for township, villages in units:
        township_actor = people.township(township)
        for village in villages:
            secretary = people.secretary(village)
            earned = year.earned(village)
            goal = earned + [s for s in year.stars if s not in earned][:1]
            app = year.plan(village, secretary, goal, set_on=set_on, today=plan.today)
            if not earned:
                continue
            year.assess(app, secretary, earned, _at(assessed))
            year.review(app, township_actor, earned, _at(assessed, 5))
            year.approve(app, township_actor, _at(assessed, 10))
            year.publish(app, _at(assessed, 11))
    year.flush()
    _objections_and_final(year, people, day=assessed + dt.timedelta(days=13))


def _current_year(year: _Year, plan: DemoPlan, people: _People, units) -> None:
    """The year under way: every village set its goal and tasks in January; 裴岗镇 (the demo
    accounts' township) is at every stage up to approval, by the village's place in the list, and the `village`
    login's village is left in draft with five tasks for a person (or the browser test) to carry
    on; in the other townships the villages whose data earns a star have assessed themselves."""
    set_on = dt.date(plan.current, 1, 15)
    for township, villages in units:
        township_actor = people.township(township)
        own = people.own(township)
        for n, village in enumerate(villages):
            secretary = people.secretary(village)
            earned = year.earned(village)
            goal = earned + [s for s in year.stars if s not in earned][:1]
            if village.pk == people.demo_village.pk:
                year.plan(
                    village, secretary, goal, set_on=set_on, today=plan.today, tasks=5, bulk=False
                )
                continue
            app = year.plan(village, secretary, goal, set_on=set_on, today=plan.today)
            if not earned:
                continue
            stage = n % 4 if own else 1
            _stage(year, app, secretary, township_actor, earned, stage, plan.today)
    year.flush()


def _open_proposal(current: _Year, plan: DemoPlan, people: _People, units) -> int:
    """A veto event waiting for the county (摘星建议): a criminal case recorded ten days ago in the
    village that holds the most final stars among those the year under way leaves at no star
    (its data already fails the 三零 veto this year, so the plan's stars stand). The 三零 ledger's
    hook proposes; the county decides on the page."""
    candidates = [v for _t, villages in units for v in villages if not current.earned(v)]
    held = {
        a.region_id: a.n
        for a in Application.objects.filter(region__in=candidates, state=AppState.FINAL)
        .annotate(n=Count("stars", filter=Q(stars__awarded=True, stars__revoked_at__isnull=True)))
        .filter(n__gt=0)
    }
    if not held:
        return 0
    village = max(candidates, key=lambda v: (held.get(v.pk, 0), v.path))
    day = max(dt.date(plan.current, 1, 1), plan.today - dt.timedelta(days=10))
    Incident.objects.create(  # its post_save is the ledger's hook (stars.apps)
        village=village,
        kind=IncidentKind.CRIMINAL,
        occurred_on=day,
        summary="村民李某盗窃村集体变压器铜线，已被县公安局立案侦查",
        reference=f"清公（刑）立字〔{day.year}〕118号",
        recorded_by_id=people.secretary(village).pk,
        recorded_at=_at(day, 1, hour=16),
    )
    return RevocationProposal.objects.filter(state=ProposalState.OPEN).count()


def _stage(year: _Year, app, secretary, township, earned, stage: int, today: dt.date) -> None:
    """Carry ``app`` to ``stage``: 0 still planning, 1 self-assessed, 2 reviewed by the township,
    3 approved (published with the year's results once the year is judged: nothing of the year
    under way is published yet, so the results pages headline the finished year)."""
    if stage == 0:
        return
    year.assess(app, secretary, earned, _at(today, -12))
    if stage >= 2:
        year.review(app, township, earned, _at(today, -8))
    if stage >= 3:
        year.approve(app, township, _at(today, -3))


def _objections_and_final(year: _Year, people: _People, *, day: dt.date) -> None:
    """On ``day``, two days into the notice: a rejected objection and an upheld one (re-approved
    without the star); when every notice has ended, the results are final; then one star is
    revoked on a veto event."""
    published = list(
        Application.objects.filter(standard=year.standard, state=AppState.PUBLISHED)
        .select_related("region", "standard")
        .order_by("region__path")
    )
    if not published:
        return
    scope = year.county_scope
    county = year.county

    def held(app: Application) -> int:
        return app.stars.filter(awarded=True, revoked_at__isnull=True).count()

    # A rejected objection: the result stands.
    objection = svc.objection_record(
        application=published[0],
        content="反映该村集体经济收入统计有误",
        objector="",
        received_on=day,
        actor=county,
        scope=scope,
        now=_at(day),
    )
    svc.objection_decide(
        objection=objection,
        upheld=False,
        note="经核查村集体经济账目，收入统计无误，异议不成立",
        actor=county,
        scope=scope,
        now=_at(day, 2),
    )
    year.counts["objections"] += 1
    # An upheld objection against a star of a village with two to four (the five-star villages
    # keep theirs): re-approved without it.
    upheld_app = next((a for a in published[1:] if 2 <= held(a) <= 4), None)
    if upheld_app is not None:
        star = (
            upheld_app.stars.filter(awarded=True, star__capstone=False)
            .select_related("star")
            .order_by("-star__sort")
            .first()
            .star
        )
        objection = svc.objection_record(
            application=upheld_app,
            star=star,
            content=f"反映“{star.name}”相关材料与实际不符",
            objector="村民代表",
            received_on=day,
            actor=county,
            scope=scope,
            now=_at(day, 0, hour=11),
        )
        svc.objection_decide(
            objection=objection,
            upheld=True,
            note="经实地核查，异议属实，撤回该星的推荐",
            actor=county,
            scope=scope,
            now=_at(day, 2, hour=11),
        )
        year.counts["objections"] += 1
        township = next(
            t
            for t in Region.objects.filter(level=Level.TOWNSHIP)
            if upheld_app.region.path.startswith(t.path)
        )
        upheld_app.refresh_from_db()
        year.approve(upheld_app, people.township(township), _at(day, 3))
        year.publish(upheld_app, _at(day, 4))
    # Every notice above has ended three weeks later: the scheduler's job makes them final.
    final_day = day + dt.timedelta(days=21)
    year.counts["final"] = svc.applications_finalise(today=final_day, now=_at(final_day, hour=2))
    # A revocation on a veto event (by the standard's rule: 三零 takes every star), in a village
    # that holds two to four.
    veto = next(
        (i for found in year.by_star.values() for i in found if i.veto and not i.judged), None
    )
    target = next(
        (
            a
            for a in Application.objects.filter(
                standard=year.standard, state=AppState.FINAL
            ).order_by("-region__path")
            if 2 <= held(a) <= 4
        ),
        None,
    )
    if veto is not None and target is not None:
        star = (
            target.stars.filter(awarded=True, star__capstone=False)
            .select_related("star")
            .order_by("star__sort")
            .first()
            .star
        )
        revoked = revocations.application_revoke(
            application=target,
            star=star,
            veto=veto,
            reason="村内发生一起刑事案件，经县委组织部研究予以摘星",
            actor=county,
            scope=scope,
            now=_at(final_day, 14, hour=9),
        )
        year.counts["revoked"] = len(revoked)


def delete_star_applications() -> None:
    """Before the standards and regions go: the applications (and what hangs on them, evidence
    files included) and the demo's acting accounts."""
    files = [name for name in Evidence.objects.values_list("file", flat=True) if name]
    if files:
        storage = Evidence._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    Application.objects.all().delete()  # their revocation proposals with them
    # The incident behind the open proposal was recorded by a village's acting secretary.
    Incident.objects.filter(recorded_by__username__startswith=USER_PREFIX).delete()
    User.objects.filter(username__startswith=USER_PREFIX).delete()
