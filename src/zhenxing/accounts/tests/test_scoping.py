from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhenxing.accounts.scoping import NO_SCOPE, get_visible_or_404, scope_for, visible
from zhenxing.conftest import add_household
from zhenxing.regions.models import Household, PartyMember, Region


def test_a_township_scope_sees_its_subtree_and_nothing_else(tree, township_a_user):
    scope = scope_for(township_a_user)
    names = set(visible(Region.objects.all(), scope).values_list("name", flat=True))
    assert names == {"甲镇", "一管区", "东村", "一组", "西村"}


def test_village_scoped_models_follow_the_tree(tree, township_a_user):
    add_household(tree.village_a1, "A1-001", member=True)
    add_household(tree.village_a2, "A2-001", member=True)
    add_household(tree.village_b1, "B1-001", member=True)
    scope = scope_for(township_a_user)
    assert sorted(visible(Household.objects.all(), scope).values_list("number", flat=True)) == [
        "A1-001",
        "A2-001",
    ]
    assert visible(PartyMember.objects.all(), scope).count() == 2


def test_the_scope_filter_is_one_statement_with_a_subquery(
    tree, township_a_user, django_assert_num_queries
):
    scope = scope_for(township_a_user)
    sql = str(visible(Household.objects.all(), scope).query)
    assert "IN (SELECT" in sql.upper()
    with django_assert_num_queries(1):
        list(visible(Household.objects.all(), scope))


def test_out_of_scope_is_not_found_exactly_like_missing(tree, township_a_user):
    scope = scope_for(township_a_user)
    with pytest.raises(Http404) as out_of_scope:
        get_visible_or_404(Region, scope, pk=tree.village_b1.pk)
    with pytest.raises(Http404) as missing:
        get_visible_or_404(Region, scope, pk=999_999)
    assert str(out_of_scope.value) == str(missing.value)


def test_create_services_refuse_a_region_outside_the_scope(tree, township_a_user):
    scope = scope_for(township_a_user)
    scope.require(tree.village_a2)
    with pytest.raises(PermissionDenied):
        scope.require(tree.village_b1)


def test_a_user_without_a_scope_sees_nothing(tree, django_user_model):
    user = django_user_model.objects.create_user(username="loose", password="x-y-z-123")
    assert scope_for(user) == NO_SCOPE
    assert visible(Region.objects.all(), NO_SCOPE).count() == 0


def test_a_superuser_without_scope_sees_everything(tree, django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password="x-y-z-123")
    assert visible(Region.objects.all(), scope_for(root)).count() == Region.objects.count()


def test_every_model_declares_its_scope():
    assert [e for e in run_checks() if e.id == "zhenxing.E001"] == []
