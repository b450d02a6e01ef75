"""The star application pages: what each role sees and can do, refusals as messages on the page
rendered again with what was typed kept in the refused form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenxing.accounts.scoping import scope_for
from zhenxing.regions.models import CadrePost, Level, Post, Region, Resident
from zhenxing.stars.models import Application, ApplicationEvent, Evidence, Objection, Task
from zhenxing.stars.services import applications as svc
from zhenxing.stars.tests.applications_fixtures import (
    PDF,
    drafted,
    reviewed,
    self_assessed,
    setup_standard,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(tree):
    return setup_standard(tree)


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def say(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def act(client, user, app, action, data=None):
    client.force_login(user)
    response = client.post(f"/stars/applications/{app.pk}/{action}/", data or {}, follow=True)
    assert response.status_code == 200
    return say(response)


def test_a_village_walks_its_year_on_the_pages(
    client, s, tree, village_a1_user, township_a_user, county_user
):
    client.force_login(village_a1_user)
    # No application yet: the goal form.
    response = client.get("/stars/applications/", follow=True)
    assert "今年争创的星" in response.content.decode()
    response = client.post(
        f"/stars/regions/{tree.village_a1.pk}/application/",
        {"stars": [s.stars["safety"].pk, s.stars["industry"].pk], "note": "发展大棚蔬菜"},
        follow=True,
    )
    app = Application.objects.get(region=tree.village_a1)
    assert say(response) == ["已制定创星目标"]
    assert act(
        client,
        village_a1_user,
        app,
        "task",
        {"title": "建设蔬菜大棚", "due_on": "2026-06-30", "star": s.stars["industry"].pk},
    ) == ["已添加任务"]
    # Evidence: a file that is not what it says is refused, nothing written.
    one_product = s.indicators["one_product"]
    bad = SimpleUploadedFile("证明.pdf", b"<html>not a pdf", content_type="application/pdf")
    messages = act(
        client,
        village_a1_user,
        app,
        "evidence",
        {"indicator": one_product.pk, "text": "产业项目材料", "file": bad},
    )
    # A browser cannot be given the file back: the message says so; the text stays.
    assert messages == ["附件“证明.pdf”的内容与 PDF 格式不符，请重新选择附件"]
    assert not Evidence.objects.exists()
    # Self-assessment before the evidence: the page names the indicators.
    messages = act(client, village_a1_user, app, "self-assess", {"stars": [s.stars["industry"].pk]})
    assert messages == [
        "评审指标“有一村一品”（产业兴旺星）还没有佐证材料",
        "评审指标“班子成员无违纪违法”（支部过硬星）还没有佐证材料",
    ]
    for code in ("one_product", "clean_team"):
        upload = SimpleUploadedFile("材料.pdf", PDF, content_type="application/pdf")
        act(
            client,
            village_a1_user,
            app,
            "evidence",
            {"indicator": s.indicators[code].pk, "text": "见附件", "file": upload},
        )
    body = page(client, village_a1_user, f"/stars/applications/{app.pk}/")
    link = re.search(rf'href="(/stars/applications/{app.pk}/evidence/\d+/)"', body).group(1)
    assert client.get(link).getvalue().startswith(b"%PDF-")
    messages = act(
        client,
        village_a1_user,
        app,
        "self-assess",
        {"stars": [s.stars["safety"].pk, s.stars["industry"].pk]},
    )
    assert messages == ["已提交自评，等待乡镇初评"]
    # The village cannot review itself; the township can.
    assert 'id="review"' not in page(client, village_a1_user, f"/stars/applications/{app.pk}/")
    body = page(client, township_a_user, f"/stars/applications/{app.pk}/")
    assert 'id="review"' in body and "乡镇初评" in body
    review = {
        f"met_{one_product.pk}": "1",
        f"note_{one_product.pk}": "属实",
        f"met_{s.indicators['clean_team'].pk}": "1",
        "recommend": [s.stars["safety"].pk, s.stars["industry"].pk],
    }
    assert act(client, township_a_user, app, "review", review) == ["已完成乡镇初评"]
    # Two stars: the county's. The township's attempt says so.
    assert act(client, township_a_user, app, "approve") == [
        "2 星须由县委组织部审定，您的角色不能审定"
    ]
    assert act(client, county_user, app, "approve") == ["已审定"]
    assert act(client, county_user, app, "approve") == ["已由他人审定"]
    assert act(client, county_user, app, "publish") == ["已公示"]
    app.refresh_from_db()
    body = page(client, county_user, f"/stars/applications/{app.pk}/")
    assert "data-held-count>2<" in body
    assert act(
        client,
        county_user,
        app,
        "objection",
        {"content": "大棚尚未投入使用", "star": s.stars["industry"].pk},
    ) == ["已登记异议"]
    objection = app.objections.get()
    assert act(
        client,
        county_user,
        app,
        "decide",
        {"objection": objection.pk, "decision": "rejected", "note": "经核实已投产"},
    ) == ["异议不成立，公示继续"]
    assert svc.applications_finalise(today=app.notice_until + dt.timedelta(days=1)) == 1
    messages = act(
        client,
        county_user,
        app,
        "revoke",
        {
            "star": s.stars["safety"].pk,
            "veto": s.indicators["three_zeros"].pk,
            "reason": "发生刑事案件一起",
        },
    )
    assert messages == ["已摘除：平安法治星"]
    body = page(client, county_user, f"/stars/applications/{app.pk}/")
    assert "data-held-count>1<" in body and "已摘星" in body
    assert "三零达标：发生刑事案件一起" in body


def test_the_second_approval_is_refused(
    client, s, tree, village_a1_user, township_a_user, county_user
):
    app = drafted(s, tree.village_a1, village_a1_user)
    self_assessed(s, app, village_a1_user)
    reviewed(s, app, township_a_user, recommend=("safety", "industry"))
    assert act(client, county_user, app, "approve") == ["已审定"]
    assert act(client, county_user, app, "approve") == ["已由他人审定"]


def test_out_of_scope_applications_answer_404(client, s, tree, village_a1_user, township_b_user):
    app = drafted(s, tree.village_a1, village_a1_user)
    client.force_login(township_b_user)
    assert client.get(f"/stars/applications/{app.pk}/").status_code == 404
    response = client.post(f"/stars/applications/{app.pk}/return/", {"reason": "越权退回"})
    assert response.status_code == 404
    assert app.events.count() == 1


def test_the_list_costs_the_same_queries_for_few_and_many(
    client, s, tree, village_a1_user, township_b_user, county_user
):
    drafted(s, tree.village_a1, village_a1_user)
    client.force_login(county_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/stars/applications/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(12):
        village = Region.objects.add_child(
            Region.objects.get(pk=tree.township_b.pk), {"name": f"新村{n}", "level": Level.VILLAGE}
        )
        drafted(s, village, township_b_user, stars=("safety",))
    assert Application.objects.count() == 13
    assert queries() == few


# --- a refusal keeps what was typed ---------------------------------------------------------


def refused(client, user, app, action, data):
    """POST an action the service refuses: the page again (not a redirect), and its body."""
    client.force_login(user)
    events = ApplicationEvent.objects.count()
    response = client.post(f"/stars/applications/{app.pk}/{action}/", data)
    assert response.status_code == 200, response.status_code
    assert response.templates[0].name == "stars/application/detail.html"
    assert ApplicationEvent.objects.count() == events  # nothing written
    return say(response), response.content.decode()


def form(body: str, action: str) -> str:
    """The HTML of the page's form posting to one action."""
    match = re.search(rf'<form[^>]*action="[^"]*/{action}/".*?</form>', body, re.S)
    assert match, action
    return match.group(0)


def field(html: str, name: str) -> str:
    """The tag of the (first) input, select option or textarea named so, with its content."""
    match = re.search(rf'<(input|textarea)[^>]*name="{name}"[^>]*>(?:([^<]*)</textarea>)?', html)
    assert match, name
    return match.group(0)


def test_a_refused_task_keeps_its_title_date_star_and_owner(client, s, tree, village_a1_user):
    app = drafted(s, tree.village_a1, village_a1_user)
    owner = Resident.objects.create(
        region=tree.village_a1, name="王大姐", sex="F", birth_date=dt.date(1978, 3, 1)
    )
    CadrePost.objects.create(
        person=owner, region=tree.village_a1, post=Post.COMMITTEE, start_date=dt.date(2021, 3, 1)
    )
    typed = {
        "title": "修缮<文化>广场",
        "due_on": "2026-13-45",
        "star": s.stars["industry"].pk,
        "owner": owner.pk,
    }
    messages, body = refused(client, village_a1_user, app, "task", typed)
    assert messages == ["完成时限的日期格式不对"]
    assert not Task.objects.exists()
    html = form(body, "task")
    assert '<p class="error refusal">完成时限的日期格式不对</p>' in html  # beside the fields
    assert 'value="修缮&lt;文化&gt;广场"' in field(html, "title")
    assert 'value="2026-13-45"' in field(html, "due_on")
    assert f'<option value="{s.stars["industry"].pk}" selected>' in html
    assert f'<option value="{owner.pk}" selected>王大姐</option>' in html
    assert '<details id="action-task" open>' in body
    # The other forms keep their own values: the goal's note is not the task's.
    assert "修缮" not in form(body, "goal") and "refusal" not in form(body, "goal")
    # Without a title, the title is named; the date typed stays.
    messages, body = refused(
        client, village_a1_user, app, "task", {"title": " ", "due_on": "2026-06-30"}
    )
    assert messages == ["请填写任务（至少 2 个字）"]
    assert 'value="2026-06-30"' in field(form(body, "task"), "due_on")
    assert not Task.objects.exists()


def test_a_refused_review_keeps_every_judgement_note_and_recommendation(
    client, s, tree, village_a1_user, township_a_user
):
    app = drafted(s, tree.village_a1, village_a1_user)
    self_assessed(s, app, village_a1_user)
    one, clean = s.indicators["one_product"], s.indicators["clean_team"]
    typed = {
        f"met_{one.pk}": "0",
        f"note_{one.pk}": "大棚尚未建成",
        f"met_{clean.pk}": "1",
        f"note_{clean.pk}": "经查无违纪",
        "recommend": [s.stars["safety"].pk, s.stars["industry"].pk],
        "note": "建议明年再申报产业星",
    }
    messages, body = refused(client, township_a_user, app, "review", typed)
    # Industry's judged indicator is not met: the star cannot be recommended.
    assert any("“产业兴旺星”不能推荐" in m for m in messages), messages
    app.refresh_from_db()
    assert app.state == "self_assessed" and not app.judgements.exists()
    html = form(body, "review")
    assert all(f'<p class="error refusal">{m}</p>' in html for m in messages)
    for indicator, met, note in ((one, "0", "大棚尚未建成"), (clean, "1", "经查无违纪")):
        radios = re.findall(rf'<input type="radio" name="met_{indicator.pk}"[^>]*>', html)
        assert [("checked" in r) for r in radios] == [met == "1", met == "0"], radios
        assert f'value="{note}"' in field(html, f"note_{indicator.pk}")
    boxes = dict(re.findall(r'name="recommend" value="(\d+)"([^>]*)>', html))
    assert {int(k) for k, v in boxes.items() if "checked" in v} == {
        s.stars["safety"].pk,
        s.stars["industry"].pk,
    }
    assert "建议明年再申报产业星</textarea>" in html
    # The return form on the same card stays empty.
    assert "建议明年" not in form(body, "return")


def published(s, tree, village_a1_user, township_a_user, county_user):
    app = drafted(s, tree.village_a1, village_a1_user)
    self_assessed(s, app, village_a1_user)
    reviewed(s, app, township_a_user, recommend=("safety", "industry"))
    svc.application_approve(application=app, actor=county_user, scope=scope_for(county_user))
    svc.application_publish(application=app, actor=county_user, scope=scope_for(county_user))
    app.refresh_from_db()
    return app


def test_a_refused_objection_keeps_its_date_objector_star_and_content(
    client, s, tree, village_a1_user, township_a_user, county_user
):
    app = published(s, tree, village_a1_user, township_a_user, county_user)
    typed = {
        "received_on": "2026-02-30",
        "objector": "张某",
        "star": s.stars["industry"].pk,
        "content": "大棚尚未投入使用",
    }
    messages, body = refused(client, county_user, app, "objection", typed)
    assert messages == ["收到日期的日期格式不对"]
    assert not Objection.objects.exists()
    html = form(body, "objection")
    assert 'value="2026-02-30"' in field(html, "received_on")
    assert 'value="张某"' in field(html, "objector")
    assert f'<option value="{s.stars["industry"].pk}" selected>' in html
    assert "大棚尚未投入使用</textarea>" in html
    assert '<details id="action-objection" open>' in body


def test_a_refused_revoke_keeps_its_star_veto_and_reason(
    client, s, tree, village_a1_user, township_a_user, county_user
):
    app = published(s, tree, village_a1_user, township_a_user, county_user)
    assert svc.applications_finalise(today=app.notice_until + dt.timedelta(days=1)) == 1
    app.refresh_from_db()
    # A reason too short: refused naming it, the star, the veto and the reason kept.
    typed = {
        "star": s.stars["industry"].pk,
        "veto": s.indicators["clean_team"].pk,
        "reason": "违纪",
    }
    messages, body = refused(client, county_user, app, "revoke", typed)
    assert messages == ["请填写摘星原因（至少 5 个字）"]
    html = form(body, "revoke")
    assert f'<option value="{s.stars["industry"].pk}" selected>' in html
    assert f'<option value="{s.indicators["clean_team"].pk}" selected>' in html
    assert "违纪</textarea>" in html
    # An indicator that is no veto: refused, the star and the reason kept.
    typed = {
        "star": s.stars["safety"].pk,
        "veto": s.indicators["one_product"].pk,
        "reason": "村干部违纪被处分",
    }
    messages, body = refused(client, county_user, app, "revoke", typed)
    assert messages == ["请选择引起摘星的一票否决事项"]
    html = form(body, "revoke")
    assert f'<option value="{s.stars["safety"].pk}" selected>' in html
    assert "村干部违纪被处分</textarea>" in html
    assert not app.stars.filter(revoked_at__isnull=False).exists()


def test_a_refused_goal_keeps_the_stars_and_note_typed(client, s, tree, village_a1_user):
    client.force_login(village_a1_user)
    response = client.post(
        f"/stars/regions/{tree.village_a1.pk}/application/", {"stars": [], "note": "先抓产业"}
    )
    assert response.status_code == 200
    assert say(response) == ["请至少选择一颗目标星"]
    assert not Application.objects.exists()
    body = response.content.decode()
    assert "先抓产业</textarea>" in body
    assert 'name="stars"' in body and "checked" not in body
