"""The service loop as data: statuses, levels, actions and who may take each action.

``TRANSITIONS[(status, action)]`` gives the next status; ``may(...)`` answers whether an actor may
take an action on an order. Services enforce it and templates read the same answers for buttons.
An action that does not change the status (督办, 标记上报) still leaves an event row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待派单")
    DISPATCHED = "dispatched", _("待接单")
    ACCEPTED = "accepted", _("办理中")
    RETURNED = "returned", _("已退回")
    REOPENED = "reopened", _("重新办理")
    RESOLVED = "resolved", _("已办结待评价")
    CLOSED = "closed", _("已评价")
    WITHDRAWN = "withdrawn", _("已撤回")


class Level(models.TextChoices):
    VILLAGE = "village", _("村级")
    TOWNSHIP = "township", _("乡镇级")
    COUNTY = "county", _("县级")


NEXT_LEVEL = {Level.VILLAGE: Level.TOWNSHIP, Level.TOWNSHIP: Level.COUNTY}
LEVEL_DEPTH = {Level.VILLAGE: 0, Level.TOWNSHIP: 1, Level.COUNTY: 2}


class Action(models.TextChoices):
    SUBMIT = "submit", _("点单")
    DISPATCH = "dispatch", _("派单")
    ACCEPT = "accept", _("接单")
    RETURN = "return", _("退回")
    RESOLVE = "resolve", _("办结")
    RATE = "rate", _("评价")
    REOPEN = "reopen", _("不满意重办")
    WITHDRAW = "withdraw", _("撤回")
    MARK = "mark", _("标记上报")
    ESCALATE = "escalate", _("上报")
    URGE = "urge", _("督办")
    REVIEW = "review", _("会商")


OPEN = (
    Status.SUBMITTED,
    Status.DISPATCHED,
    Status.ACCEPTED,
    Status.RETURNED,
    Status.REOPENED,
)
DISPATCHABLE = (Status.SUBMITTED, Status.RETURNED, Status.REOPENED, Status.DISPATCHED)
DONE = (Status.RESOLVED, Status.CLOSED)

TRANSITIONS: dict[tuple[str, str], str] = {
    **{(s, Action.DISPATCH): Status.DISPATCHED for s in DISPATCHABLE},
    (Status.DISPATCHED, Action.ACCEPT): Status.ACCEPTED,
    (Status.DISPATCHED, Action.RETURN): Status.RETURNED,
    (Status.ACCEPTED, Action.RETURN): Status.RETURNED,
    (Status.ACCEPTED, Action.RESOLVE): Status.RESOLVED,
    (Status.RESOLVED, Action.RATE): Status.CLOSED,
    (Status.RESOLVED, Action.REOPEN): Status.REOPENED,
    **{(s, Action.WITHDRAW): Status.WITHDRAWN for s in OPEN},
    **{(s, Action.ESCALATE): Status.SUBMITTED for s in OPEN},
    **{(s, Action.MARK): s for s in OPEN},
    **{(s, Action.URGE): s for s in OPEN},
    **{(s, Action.REVIEW): s for s in OPEN},
}

# Who acts. Signed-in users act by their role; the villager acts through the tracking code.
REQUESTER = "requester"
SYSTEM = "system"

# Roles that run an order at each level: they dispatch, mark for escalation, record on behalf of
# a member without an account, and record a rating taken by telephone (回访).
HANDLERS: dict[str, frozenset[str]] = {
    Level.VILLAGE: frozenset(
        {"village_secretary", "district_leader", "township_admin", "county_admin"}
    ),
    Level.TOWNSHIP: frozenset({"township_admin", "county_admin"}),
    Level.COUNTY: frozenset({"county_admin"}),
}
# Roles that supervise (督办) an open order below them.
SUPERVISORS = frozenset({"township_admin", "county_admin", "district_leader"})
# Roles that may log a request on a villager's behalf (after a visit, a call, a meeting).
LOGGERS = frozenset(
    {"grid_member", "village_secretary", "district_leader", "township_admin", "county_admin"}
)

# Roles that may back-fill (补录) a request received on an earlier day, from a paper register.
BACKFILLERS = frozenset({"township_admin", "county_admin"})


@dataclass(frozen=True)
class Actor:
    """Who takes an action: a user (with their role), the villager, or the system."""

    kind: str  # a user role, REQUESTER or SYSTEM
    user_id: int | None = None
    person_id: int | None = None  # the user's Resident, for members taking orders

    @classmethod
    def of(cls, user) -> Actor:
        return cls(kind=user.role, user_id=user.pk, person_id=user.person_id)

    @property
    def label(self) -> str:
        if self.kind == REQUESTER:
            return str(_("群众"))
        if self.kind == SYSTEM:
            return str(_("系统"))
        return ""


def is_handler(actor: Actor, level: str) -> bool:
    return actor.kind in HANDLERS.get(level, frozenset())


def is_assignee(actor: Actor, *, member_person_id: int | None, team_person_ids: set[int]) -> bool:
    """The member the order was sent to, or any member of the team it was sent to (抢单)."""
    if actor.person_id is None:
        return False
    return actor.person_id == member_person_id or actor.person_id in team_person_ids


def may(
    action: str,
    *,
    status: str,
    level: str,
    actor: Actor,
    assignee: bool = False,
) -> bool:
    """Whether ``actor`` may take ``action`` on an order in ``status`` at ``level``."""
    if (status, action) not in TRANSITIONS:
        return False
    if action in (Action.ACCEPT, Action.RETURN, Action.RESOLVE):
        return assignee or is_handler(actor, level)
    if action in (Action.RATE, Action.REOPEN, Action.WITHDRAW):
        return actor.kind == REQUESTER or is_handler(actor, level)
    if action in (Action.DISPATCH, Action.REVIEW):
        return is_handler(actor, level)
    if action == Action.MARK:
        return is_handler(actor, level) and level in NEXT_LEVEL
    if action == Action.ESCALATE:
        return actor.kind == SYSTEM and level in NEXT_LEVEL
    if action == Action.URGE:
        return actor.kind in SUPERVISORS
    return False
