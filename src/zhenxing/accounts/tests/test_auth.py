from __future__ import annotations

from django.contrib.auth.hashers import identify_hasher
from django.test import override_settings
from django.urls import reverse

from zhenxing.conftest import PASSWORD


def test_login_takes_a_township_admin_to_their_township(client, tree, township_a_user):
    response = client.post(reverse("login"), {"username": "township_a_u", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.status_code == 200
    assert "甲镇" in response.content.decode()


def test_a_wrong_password_gets_a_chinese_message(client, tree, township_a_user):
    response = client.post(reverse("login"), {"username": "township_a_u", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_repeated_failures_lock_the_login(client, tree, township_a_user):
    for _ in range(5):
        client.post(reverse("login"), {"username": "township_a_u", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "township_a_u", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2(tree, django_user_model):
    from zhenxing import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = django_user_model.objects.create_user(username="argon", password="a-long-password")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_forms_require_csrf(tree, township_a_user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "township_a_u", "password": PASSWORD})
    assert response.status_code == 403
