"""Demo star applications (创星申报) for the shipped standard's year, written through the services.

- 城关镇 and 上庄镇: every village whose data earns a star goes the whole way — goal and tasks,
  self-assessment with evidence, township review (the judged indicators recorded as met), approval
  at the level the standard names, notice, final — so the results pages have a spread of star
  counts. Two objections (one rejected, one upheld and re-approved) and one revoked star.
- 裴岗镇 (the demo accounts' township): its villages at mixed stages, and the `village` login's
  village left in draft with a goal and tasks for a person (or the browser test) to carry on.

The villages and townships other than the demo accounts' act through inactive accounts with no
scope (``demo-star-…``, no password: nobody signs in with them), so every event names who acted.
Villages whose data earns no star keep only their goal (they did not apply this year).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhenxing.accounts.models import Role, User
from zhenxing.accounts.scoping import scope_for
from zhenxing.regions.models import VILLAGE_LEVELS, Level, Region, Resident
from zhenxing.stars.models import (
    Application,
    ApplicationEvent,
    AppState,
    EvaluationRun,
    Evidence,
    IndicatorResult,
    Outcome,
    Standard,
    Task,
)
from zhenxing.stars.rules import star_outcomes
from zhenxing.stars.selectors.applications import standard_parts, task_owners
from zhenxing.stars.services import applications as svc
from zhenxing.stars.states import AppAction

USER_PREFIX = "demo-star-"
TASKS = (
    ("召开党员大会部署创星工作", -300, True),
    ("完善三会一课记录", -200, True),
    ("发展一村一品特色产业", -120, True),
    ("开展美丽庭院评选", -60, False),
    ("整理创星佐证材料", 10, False),
)
EVIDENCE_TEXT = {
    "clean_team": "乡镇纪委出具的班子成员无违纪违法情况说明",
    "one_product": "产业项目立项材料、合作社账目及基地照片",
    "toilets": "改厕台账：全村卫生厕所普及情况",
}


def _actor(username: str, role: str, name: str) -> User:
    user = User(username=username, role=role, first_name=name, is_active=False)
    user.set_unusable_password()
    user.save()
    return user


def _at(today: dt.date, days: int, hour: int = 10) -> dt.datetime:
    day = today + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class _Demo:
    def __init__(self, standard: Standard, today: dt.date, county_admin: User) -> None:
        self.standard = standard
        self.today = today
        self.county = county_admin
        self.county_scope = scope_for(county_admin)
        self.stars, self.by_star = standard_parts(standard)
        self.judged = [i for found in self.by_star.values() for i in found if i.judged]
        self.counts = {"applications": 0, "final": 0, "objections": 0, "revoked": 0}
        self.tasks: list[Task] = []
        self.events: list[ApplicationEvent] = []

    def load_results(self, run: EvaluationRun) -> None:
        """Every village's computed outcomes in the run, in one query."""
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
        self, village: Region, secretary: User, goal: list, *, tasks: int = 3, bulk: bool = True
    ):
        scope = self.county_scope
        app = svc.application_goal_set(
            region=village,
            standard=self.standard,
            stars=goal or self.stars[1:3],
            note="以党建引领产业发展，补齐短板，争创星级支部",
            actor=secretary,
            scope=scope,
            now=_at(self.today, -320),
        )
        owners = task_owners(village)[:3] or list(
            Resident.objects.filter(region=village).order_by("pk")[:3]
        )
        for n, (title, due, done) in enumerate(TASKS[:tasks]):
            owner = owners[n % len(owners)] if owners else None
            due_on = self.today + dt.timedelta(days=due)
            added = _at(self.today, -310 + n)
            done_at = _at(self.today, due - 3) if done and due < 0 else None
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

    def assess(self, app: Application, secretary: User, claim: list) -> None:
        wanted = {s.pk for s in claim}
        for indicator in self.judged:
            if indicator.star_id in wanted or indicator.veto:
                svc.application_evidence_add(
                    application=app,
                    indicator=indicator,
                    text=EVIDENCE_TEXT.get(indicator.code, "相关台账和照片"),
                    actor=secretary,
                    scope=self.county_scope,
                    now=_at(self.today, -30),
                )
        svc.application_self_assess(
            application=app,
            stars=claim,
            note="对照标准逐项自查，申报以下星级",
            actor=secretary,
            scope=self.county_scope,
            now=_at(self.today, -28),
        )

    def review(self, app: Application, township: User, claim: list, recommend: list) -> None:
        wanted = {s.pk for s in claim}
        svc.application_review(
            application=app,
            judgements={
                i.pk: (True, "经实地查看，材料属实")
                for i in self.judged
                if i.star_id in wanted or i.veto
            },
            recommend=recommend,
            note="",
            actor=township,
            scope=self.county_scope,
            now=_at(self.today, -22),
        )

    def approver(self, app: Application, township: User) -> User:
        level = svc.approval_level(app)
        return township if level == "township" else self.county

    def approve_publish(self, app: Application, township: User, *, day: int) -> None:
        app.refresh_from_db()
        svc.application_approve(
            application=app,
            actor=self.approver(app, township),
            scope=self.county_scope,
            now=_at(self.today, day),
        )
        svc.application_publish(
            application=app,
            actor=self.county,
            scope=self.county_scope,
            now=_at(self.today, day + 1),
        )


def build_star_applications(
    *, county: Region, today: dt.date, accounts: dict[str, int], demo_village: Region
) -> dict[str, int]:
    """Applications for every village of the demo county (see the module's docstring)."""
    standard = Standard.objects.filter(kind="village").order_by("-year", "-loaded_at").first()
    run = EvaluationRun.objects.filter(standard=standard).order_by("-started_at").first()
    if standard is None or run is None:
        return {}
    county_admin = User.objects.get(pk=accounts["county"])
    township_admin = User.objects.get(pk=accounts["township"])
    village_secretary = User.objects.get(pk=accounts["village"])
    demo = _Demo(standard, today, county_admin)
    demo.load_results(run)
    townships = list(Region.objects.filter(level=Level.TOWNSHIP).order_by("path"))
    with transaction.atomic():
        for township in townships:
            villages = list(
                Region.objects.filter(
                    path__startswith=township.path, level__in=VILLAGE_LEVELS
                ).order_by("path")
            )
            own = township_admin.scope_region_id == township.pk
            township_actor = (
                township_admin
                if own
                else _actor(
                    f"{USER_PREFIX}t{township.pk}", Role.TOWNSHIP_ADMIN, f"{township.name}党委"
                )
            )
            for n, village in enumerate(villages):
                if village.pk == demo_village.pk:
                    secretary = village_secretary
                else:
                    secretary = _actor(
                        f"{USER_PREFIX}v{village.pk}",
                        Role.VILLAGE_SECRETARY,
                        f"{village.name}党支部书记",
                    )
                earned = demo.earned(village)
                goal = earned + [s for s in demo.stars if s not in earned][:1]
                if village.pk == demo_village.pk:
                    demo.plan(village, secretary, goal, tasks=5, bulk=False)
                    continue
                app = demo.plan(village, secretary, goal)
                if not earned:
                    continue
                if own:
                    _township_a_stage(demo, app, secretary, township_actor, earned, n)
                else:
                    demo.assess(app, secretary, earned)
                    demo.review(app, township_actor, earned, earned)
                    demo.approve_publish(app, township_actor, day=-18)
        Task.objects.bulk_create(demo.tasks)
        ApplicationEvent.objects.bulk_create(demo.events)
        # The notice of 城关镇's and 上庄镇's results ended: objections first, then final.
        _objections_and_final(demo, townships, township_admin)
    return demo.counts


def _township_a_stage(demo: _Demo, app, secretary, township, earned, n: int) -> None:
    """裴岗镇: every stage represented, by the village's place in the list."""
    stage = n % 5
    if stage == 0:
        return  # still working on its plan
    demo.assess(app, secretary, earned)
    if stage == 1:
        return
    demo.review(app, township, earned, earned)
    if stage == 2:
        return
    app.refresh_from_db()
    svc.application_approve(
        application=app,
        actor=demo.approver(app, township),
        scope=demo.county_scope,
        now=_at(demo.today, -3),
    )
    if stage == 4:
        svc.application_publish(
            application=app,
            actor=demo.county,
            scope=demo.county_scope,
            now=_at(demo.today, -2),
        )


def _objections_and_final(demo: _Demo, townships: list[Region], township_admin: User) -> None:
    others = [t for t in townships if t.pk != township_admin.scope_region_id]
    under = Q()
    for township in others:
        under |= Q(region__path__startswith=township.path)
    published = list(
        Application.objects.filter(under, state="published")
        .select_related("region", "standard")
        .order_by("region__path")
    )
    if not published:
        return
    received = timezone.localdate(_at(demo.today, -15))
    scope = demo.county_scope
    # A rejected objection: the result stands.
    first = published[0]
    objection = svc.objection_record(
        application=first,
        content="反映该村集体经济收入统计有误",
        objector="",
        received_on=received,
        actor=demo.county,
        scope=scope,
        now=_at(demo.today, -15),
    )
    svc.objection_decide(
        objection=objection,
        upheld=False,
        note="经核查村集体经济账目，收入统计无误，异议不成立",
        actor=demo.county,
        scope=scope,
        now=_at(demo.today, -13),
    )
    demo.counts["objections"] += 1
    # An upheld objection against a star of a village with two or more: re-approved without it.
    upheld_app = next((a for a in published[1:] if a.stars.filter(awarded=True).count() >= 2), None)
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
            received_on=received,
            actor=demo.county,
            scope=scope,
            now=_at(demo.today, -15),
        )
        svc.objection_decide(
            objection=objection,
            upheld=True,
            note="经实地核查，异议属实，撤回该星的推荐",
            actor=demo.county,
            scope=scope,
            now=_at(demo.today, -13),
        )
        demo.counts["objections"] += 1
        township = next(t for t in others if upheld_app.region.path.startswith(t.path))
        township_actor = User.objects.get(username=f"{USER_PREFIX}t{township.pk}")
        upheld_app.refresh_from_db()
        demo.approve_publish(upheld_app, township_actor, day=-12)
    # Every notice above ends before today minus a day.
    demo.counts["final"] = svc.applications_finalise(
        today=demo.today - dt.timedelta(days=1), now=_at(demo.today, -1, hour=2)
    )
    # One revoked star, on a veto event, in a village that holds two or more.
    veto = next(
        (i for found in demo.by_star.values() for i in found if i.veto and not i.judged), None
    )
    target = next(
        (
            a
            for a in Application.objects.filter(state="final").order_by("-region__path")
            if a.stars.filter(awarded=True).count() >= 2
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
        revoked = svc.application_revoke(
            application=target,
            star=star,
            veto=veto,
            reason="村内发生一起刑事案件，经县委组织部研究予以摘星",
            actor=demo.county,
            scope=scope,
            now=_at(demo.today, 0, hour=9),
        )
        demo.counts["revoked"] = len(revoked)


def delete_star_applications() -> None:
    """Before the standards and regions go: the applications (and what hangs on them, evidence
    files included) and the demo's acting accounts."""
    files = [name for name in Evidence.objects.values_list("file", flat=True) if name]
    if files:
        storage = Evidence._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    Application.objects.all().delete()
    User.objects.filter(username__startswith=USER_PREFIX).delete()
