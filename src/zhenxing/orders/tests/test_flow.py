from __future__ import annotations

import pytest

from zhenxing.orders.models import OrderEvent, Rating
from zhenxing.orders.services import (
    REQUESTER_ACTOR,
    StaleState,
    order_accept,
    order_dispatch,
    order_rate,
    order_resolve,
)
from zhenxing.orders.states import Status
from zhenxing.orders.tests.conftest import actor, submit


@pytest.mark.django_db
def test_a_request_goes_round_the_loop_and_reopens_when_the_villager_is_unhappy(
    tree, village_a1_user, member_a1, category
):
    member, member_user = member_a1
    order = submit(tree.village_a1, category)
    assert order.status == Status.SUBMITTED and len(order.code) == 8
    order_dispatch(order=order, actor=actor(village_a1_user), member=member)
    assert order.owner_id == village_a1_user.pk and order.responded_in_time
    order_accept(order=order, actor=actor(member_user))
    order_resolve(order=order, actor=actor(member_user), resolution="已联系保洁员清运完毕")
    assert order.status == Status.RESOLVED and order.resolved_in_time
    order_rate(order=order, actor=REQUESTER_ACTOR, rating=Rating.UNSATISFIED, reason="又堆起来了")
    order.refresh_from_db()
    assert order.status == Status.REOPENED and order.reopen_count == 1
    assert order.resolved_at is None
    actions = list(OrderEvent.objects.filter(order=order).values_list("action", flat=True))
    assert actions == ["submit", "dispatch", "accept", "resolve", "reopen"]


@pytest.mark.django_db
def test_the_second_member_to_take_a_team_order_is_told_it_was_taken(
    tree, village_a1_user, member_a1, member_a1_b, team_a1, category
):
    order = submit(tree.village_a1, category)
    order_dispatch(order=order, actor=actor(village_a1_user), team=team_a1)
    from zhenxing.orders.models import Order

    seen_by_b = Order.objects.get(pk=order.pk)
    order_accept(order=order, actor=actor(member_a1[1]))
    with pytest.raises(StaleState, match="已被他人接单"):
        order_accept(order=seen_by_b, actor=actor(member_a1_b[1]))
    order.refresh_from_db()
    assert order.assignee_member == member_a1[0]


@pytest.mark.django_db
def test_a_meeting_that_lists_an_order_twice_writes_nothing(tree, village_a1_user, category):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from zhenxing.accounts.scoping import scope_for
    from zhenxing.orders.models import Meeting
    from zhenxing.orders.services import ItemInput, meeting_record

    order = submit(tree.village_a1, category)
    items = [ItemInput(order, "escalate", "需资金"), ItemInput(order, "continue")]
    with pytest.raises(ValidationError, match=r"第 2 条.*重复"):
        meeting_record(
            scope=scope_for(village_a1_user),
            region=tree.village_a1,
            held_on=dt.date.today(),
            items=items,
            actor=actor(village_a1_user),
        )
    order.refresh_from_db()
    assert not Meeting.objects.exists() and not order.escalate_mark
    assert list(OrderEvent.objects.filter(order=order).values_list("action", flat=True)) == [
        "submit"
    ]


@pytest.mark.django_db
def test_a_small_file_declaring_a_huge_canvas_is_refused_before_decoding(tree, category):
    import io

    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from zhenxing.orders.models import Order

    buf = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buf, "PNG")
    assert len(buf.getvalue()) < 100_000
    bomb = SimpleUploadedFile("bomb.png", buf.getvalue(), content_type="image/png")
    with pytest.raises(ValidationError, match="尺寸过大"):
        submit(tree.village_a1, category, photos=[bomb])
    assert not Order.objects.exists()
