"""``zhenxing init``: the first run on an empty database, refused once a root exists."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from zhenxing.accounts.models import AccountAction, AccountEvent, Role, User
from zhenxing.regions.models import Level, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password"
    path.write_text("县里的-Strong-密码-2026\n", encoding="utf-8")
    return path


def test_init_creates_the_county_and_its_first_admin(password_file, capsys):
    call_command("init", county="测试县", admin="zzb", password_file=password_file)
    county = Region.objects.get()
    assert (county.name, county.level, county.depth) == ("测试县", Level.COUNTY, 1)
    admin = User.objects.get()
    assert (admin.username, admin.role, admin.scope_region) == ("zzb", Role.COUNTY_ADMIN, county)
    assert admin.check_password("县里的-Strong-密码-2026") and not admin.is_superuser
    event = AccountEvent.objects.get()
    assert (event.user, event.actor, event.action) == (admin, None, AccountAction.INIT)
    assert "已创建根区域“测试县”" in capsys.readouterr().out


def test_init_refuses_when_a_root_exists_and_writes_nothing(tree, password_file):
    with pytest.raises(CommandError, match="已有根区域"):
        call_command("init", county="又一县", admin="zzb", password_file=password_file)
    assert not User.objects.filter(username="zzb").exists()
    assert Region.objects.filter(depth=1).count() == 1


@pytest.mark.parametrize("password", ["123", "password", ""])
def test_init_refuses_a_weak_password(tmp_path, password):
    path = tmp_path / "password"
    path.write_text(password, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("init", county="测试县", admin="zzb", password_file=path)
    assert not Region.objects.exists() and not User.objects.exists()


def test_init_names_a_missing_password_file(tmp_path):
    with pytest.raises(CommandError, match="读不到密码文件"):
        call_command("init", county="测试县", admin="zzb", password_file=tmp_path / "none")
