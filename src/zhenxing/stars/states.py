"""The star application's year as data: states, actions and who may take each action.

``TRANSITIONS[(state, action)]`` gives the next state; ``may(...)`` answers whether a role may take
an action on an application in a state. Services enforce it and templates read the same answers
for their buttons. Actions that do not change the state (a task, a piece of evidence, an objection
recorded, a revocation) still leave an event row.

Approval goes to the level the standard names for the star count (``Standard.approver_for``): a
township's approval is given by the township admin; the county's, the city's and the province's
are recorded by the county admin (for a higher level, with that level's document number).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhenxing.stars.models import Approver, AppState


class AppAction(models.TextChoices):
    GOAL = "goal", _("制定创星目标")
    TASK_ADD = "task_add", _("添加任务")
    TASK_DONE = "task_done", _("完成任务")
    EVIDENCE = "evidence", _("上传佐证材料")
    SELF_ASSESS = "self_assess", _("村自评申报")
    RETURN = "return", _("退回修改")
    REVIEW = "review", _("乡镇初评")
    APPROVE = "approve", _("审定")
    PUBLISH = "publish", _("公示")
    OBJECTION = "objection", _("登记异议")
    UPHOLD = "uphold", _("异议成立")
    REJECT = "reject", _("异议不成立")
    FINALISE = "finalise", _("公示期满认定")
    REVOKE = "revoke", _("摘星")
    PROPOSE = "propose", _("提出摘星建议")
    DISMISS = "dismiss", _("不予摘星")
    WITHDRAW = "withdraw", _("撤回摘星建议")


TRANSITIONS: dict[tuple[str, str], str] = {
    **{
        (AppState.DRAFT, a): AppState.DRAFT
        for a in (AppAction.GOAL, AppAction.TASK_ADD, AppAction.TASK_DONE, AppAction.EVIDENCE)
    },
    (AppState.DRAFT, AppAction.SELF_ASSESS): AppState.SELF_ASSESSED,
    (AppState.SELF_ASSESSED, AppAction.RETURN): AppState.DRAFT,
    (AppState.SELF_ASSESSED, AppAction.REVIEW): AppState.TOWNSHIP_REVIEWED,
    (AppState.TOWNSHIP_REVIEWED, AppAction.APPROVE): AppState.APPROVED,
    (AppState.APPROVED, AppAction.PUBLISH): AppState.PUBLISHED,
    (AppState.PUBLISHED, AppAction.OBJECTION): AppState.PUBLISHED,
    (AppState.PUBLISHED, AppAction.UPHOLD): AppState.TOWNSHIP_REVIEWED,
    (AppState.PUBLISHED, AppAction.REJECT): AppState.PUBLISHED,
    (AppState.PUBLISHED, AppAction.FINALISE): AppState.FINAL,
    (AppState.FINAL, AppAction.REVOKE): AppState.FINAL,
    (AppState.FINAL, AppAction.PROPOSE): AppState.FINAL,
    (AppState.FINAL, AppAction.DISMISS): AppState.FINAL,
    (AppState.FINAL, AppAction.WITHDRAW): AppState.FINAL,
    (AppState.PUBLISHED, AppAction.WITHDRAW): AppState.PUBLISHED,
}

SYSTEM = "system"
VILLAGE = "village_secretary"
TOWNSHIP = "township_admin"
COUNTY = "county_admin"

# Who keeps the year's plan (goal, tasks): the village secretary, or the township on its behalf.
PLANNERS = frozenset({VILLAGE, TOWNSHIP})
# Which role gives (or records) the approval of each level the standard may name.
APPROVER_ROLE: dict[str, str] = {
    Approver.TOWNSHIP: TOWNSHIP,
    Approver.COUNTY: COUNTY,
    Approver.CITY: COUNTY,
    Approver.PROVINCE: COUNTY,
}
# Levels above the county: the county admin records their decision with its document number.
HIGHER_LEVELS = frozenset({Approver.CITY, Approver.PROVINCE})

ROLES: dict[str, frozenset[str]] = {
    AppAction.GOAL: PLANNERS,
    AppAction.TASK_ADD: PLANNERS,
    AppAction.TASK_DONE: PLANNERS,
    AppAction.EVIDENCE: frozenset({VILLAGE}),
    AppAction.SELF_ASSESS: frozenset({VILLAGE}),
    AppAction.RETURN: frozenset({TOWNSHIP}),
    AppAction.REVIEW: frozenset({TOWNSHIP}),
    AppAction.OBJECTION: frozenset({TOWNSHIP, COUNTY}),
    AppAction.FINALISE: frozenset({SYSTEM}),
    AppAction.REVOKE: frozenset({COUNTY}),
    # A judged veto event (a disciplinary case) is entered by the township or the county; an
    # incident of the 三零 ledger proposes on its own, whoever recorded it (the system).
    AppAction.PROPOSE: frozenset({TOWNSHIP, COUNTY, SYSTEM}),
    AppAction.DISMISS: frozenset({COUNTY}),
    AppAction.WITHDRAW: frozenset({SYSTEM, COUNTY}),
}
# Approve, publish and decide objections: the role of the approving level (``level``).
BY_LEVEL = (AppAction.APPROVE, AppAction.PUBLISH, AppAction.UPHOLD, AppAction.REJECT)


def approver_role(level: str) -> str:
    return APPROVER_ROLE.get(level, "")


def may(action: str, *, state: str, actor_role: str, level: str = "") -> bool:
    """Whether ``actor_role`` may take ``action`` on an application in ``state``; ``level`` is the
    approving level (the standard's for the recommended star count, or the one that approved)."""
    if (state, action) not in TRANSITIONS:
        return False
    if action in BY_LEVEL:
        role = approver_role(level)
        # The county may always publish and decide what a township approved: it runs the notice.
        if action != AppAction.APPROVE and actor_role == COUNTY and role:
            return True
        return bool(role) and actor_role == role
    return actor_role in ROLES.get(action, frozenset())
