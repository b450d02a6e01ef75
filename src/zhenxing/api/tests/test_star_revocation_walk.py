"""One truth for the star year: a veto event walks to the stars, and the 评定结果 reads the same on
every surface before and after.

A village holds five published stars of the shipped standard (三零 is a ``branch`` veto there).
The village secretary records a criminal case through the ledgers API; a revocation proposal
appears in the county's to-do and on the township's star page; the county decides it through the
API with its browser session (CSRF enforced). The same village, township and county are then read
through four surfaces — the results pages, the results API, the Word notice and the township
standard's indicator (所辖村三星及以上的占六成以上) — and all give the same numbers, one five-star
village fewer. The walk is repeated with the incident recorded during the notice period (it
enters as an objection, the scheduler cannot confirm over it, upheld it sends the application
back) and with the incident voided (the proposal is withdrawn, nothing changes)."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

import docx
import pytest

from zhenxing.api.tests.live import API, browser_client, token_client
from zhenxing.core.periods import Period
from zhenxing.stars.management.commands.stars_load import DEFAULT, TOWNSHIP_DEFAULT
from zhenxing.stars.models import (
    ApplicationEvent,
    AppState,
    IndicatorResult,
    Objection,
    ObjectionDecision,
    ProposalState,
    RevocationProposal,
)
from zhenxing.stars.services import applications_finalise, evaluation_run, standard_load
from zhenxing.stars.tests.results_factory import publish

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = 2026
SHARE_METRIC = "township_villages_three_star_share"


@dataclass(frozen=True)
class Figures:
    five: int  # villages holding five stars
    none: int  # villages with a result holding none
    share: float | None  # 三星及以上占比 (%)


@pytest.fixture
def walk(live_server, tree, county_user, township_a_user, village_a1_user):
    villages = standard_load(text=DEFAULT.read_text(encoding="utf-8"))
    townships = standard_load(text=TOWNSHIP_DEFAULT.read_text(encoding="utf-8"))
    others = [publish(tree.village_a2, villages, 3), publish(tree.village_b1, villages, 2)]
    for app in others:
        app.approved_by_level = "county"
        app.save()
    clients = {
        "village": token_client(live_server.url, village_a1_user.username),
        "county": browser_client(live_server.url, county_user.username),
        "county_token": token_client(live_server.url, county_user.username),
        "township": browser_client(live_server.url, township_a_user.username),
    }
    yield tree, villages, townships, clients
    for client in clients.values():
        client.close()


def five_star(tree, villages, *, state=AppState.FINAL):
    app = publish(tree.village_a1, villages, 5, state=state)
    app.approved_by_level = "county"
    if state == AppState.PUBLISHED:
        app.notice_from, app.notice_until = dt.date(2026, 12, 5), dt.date(2026, 12, 14)
    app.save()
    return app


def _number(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found, pattern
    return found[1]


def _share(text: str) -> float | None:
    return None if text in ("—", "-") else float(text.rstrip("%"))


def from_page(client, region) -> Figures:
    """The results page (评定结果) of ``region``."""
    page = client.get(f"/stars/results/regions/{region.pk}/?year={YEAR}").text
    assert "评定结果" in page
    return Figures(
        five=int(_number(r'data-level="5">(\d+)<', page)),
        none=int(_number(r'data-level="0">(\d+)<', page)),
        share=_share(_number(r'data-results="three-or-more">([^<]+)<', page)),
    )


def from_star_page(client, region) -> Figures:
    """The star page's 评定结果 card (the 测评 below it is another figure)."""
    page = client.get(f"/stars/regions/{region.pk}/").text
    five = re.search(r'data-result-level="5">(\d+)<', page)
    none = re.search(r'data-result-level="0">(\d+)<', page)
    return Figures(
        five=int(five[1]) if five else 0,
        none=int(none[1]) if none else 0,
        share=_share(_number(r'data-result="three-or-more">([^<]+)<', page)),
    )


def from_api(client, region) -> tuple[Figures, dict[int, Figures]]:
    body = client.get(f"{API}/stars/results/regions/{region.pk}", params={"year": YEAR}).json()
    assert body["figure"] == "评定结果"

    def figures(d) -> Figures:
        return Figures(five=d["counts"]["5"], none=d["counts"]["0"], share=d["three_or_more"])

    return figures(body["total"]), {c["region_id"]: figures(c) for c in body["children"]}


def from_notice(client, county, township) -> tuple[Figures, Figures]:
    """The Word notice the county downloads: its 全县 sentence and the township's."""
    response = client.get(
        f"{API}/stars/results/regions/{county.pk}/notice", params={"year": YEAR, "number": "7"}
    )
    assert response.status_code == 200, response.text
    document = docx.Document(io.BytesIO(response.content))
    assert document.core_properties.author == f"中共{county.name}委组织部"
    assert "python-docx" not in (document.core_properties.comments or "")
    text = [p.text for p in document.paragraphs]

    def figures(whole: str) -> Figures:
        line = next(t for t in text if t.startswith(f"{whole}共有"))
        five = re.search(r"五星级(\d+)个", line)
        none = re.search(r"未获星(\d+)个", line)
        return Figures(
            five=int(five[1]) if five else 0,
            none=int(none[1]) if none else 0,
            share=_share(_number(r"占(?:全部党支部的)?([\d.]+%)", line)),
        )

    return figures("全县"), figures(township.name)


def from_township_standard(townships, tree, county_user) -> float | None:
    """The 五好乡镇党委 indicator that reads village stars, as a township evaluation computes it."""
    from zhenxing.accounts.scoping import scope_for

    run = evaluation_run(
        standard=townships,
        region=tree.county,
        period=Period.parse(str(YEAR)),
        scope=scope_for(county_user),
        actor=county_user,
    )
    value = (
        IndicatorResult.objects.filter(
            run=run, village=tree.township_a, indicator__metric=SHARE_METRIC
        )
        .values_list("value", flat=True)
        .get()
    )
    return None if value is None else float(value)


def read_everywhere(tree, townships, clients, county_user) -> tuple[Figures, Figures]:
    """The county's and township A's figures, asserted equal on every surface."""
    county_api, children = from_api(clients["county_token"], tree.county)
    township_api = children[tree.township_a.pk]
    assert from_api(clients["township"], tree.township_a)[0] == township_api
    assert from_page(clients["county"], tree.county) == county_api
    assert from_page(clients["township"], tree.township_a) == township_api
    assert from_star_page(clients["county"], tree.county) == county_api
    assert from_star_page(clients["township"], tree.township_a) == township_api
    assert from_notice(clients["county_token"], tree.county, tree.township_a) == (
        county_api,
        township_api,
    )
    assert from_township_standard(townships, tree, county_user) == township_api.share
    return county_api, township_api


def record_incident(client, village) -> int:
    response = client.post(
        f"{API}/ledgers/incidents",
        json={
            "village_id": village.pk,
            "kind": "criminal",
            "occurred_on": "2026-12-01",
            "summary": "村民张某盗窃案，已立案侦查",
            "reference": "清公刑立字〔2026〕88号",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_criminal_case_takes_a_final_five_star_village_down_everywhere_alike(walk, county_user):
    tree, villages, townships, clients = walk
    app = five_star(tree, villages)
    county, township = read_everywhere(tree, townships, clients, county_user)
    assert (county.five, county.none, county.share) == (1, 0, 66.7)
    assert (township.five, township.share) == (1, 100.0)

    record_incident(clients["village"], tree.village_a1)
    proposal = RevocationProposal.objects.get(application=app)
    assert proposal.state == ProposalState.OPEN
    assert sorted(proposal.stars.values_list("code", flat=True)) == sorted(
        villages.stars.values_list("code", flat=True)
    )  # 三零 is a branch veto in the shipped standard: every star
    # In the county's to-do (and its menu count), and on the township's star page.
    todo = clients["county"].get("/orders/").text
    assert f'data-proposal="{proposal.pk}"' in todo and "摘星建议待决定" in todo
    township_page = clients["township"].get(f"/stars/regions/{tree.township_a.pk}/").text
    assert f'data-proposal="{proposal.pk}"' in township_page
    # Nothing moves before the county decides.
    assert read_everywhere(tree, townships, clients, county_user) == (county, township)

    # The township may not decide; the county decides by its browser session (CSRF enforced).
    refused = clients["township"].post(
        f"{API}/stars/proposals/{proposal.pk}/decide", json={"revoke": True, "note": "核实属实"}
    )
    assert refused.status_code == 403, refused.text
    decided = clients["county"].post(
        f"{API}/stars/proposals/{proposal.pk}/decide",
        json={"revoke": True, "note": "经核实，村内发生刑事案件，按标准摘星"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "revoked"
    again = clients["county"].post(
        f"{API}/stars/proposals/{proposal.pk}/decide", json={"revoke": False, "note": "重复处理"}
    )
    assert again.status_code == 422 and "不能再处理" in again.json()["detail"]

    after_county, after_township = read_everywhere(tree, townships, clients, county_user)
    assert (after_county.five, after_county.none, after_county.share) == (0, 1, 33.3)
    assert (after_township.five, after_township.none, after_township.share) == (0, 1, 50.0)
    # Every step is an event row, and the API shows the history.
    actions = list(
        ApplicationEvent.objects.filter(application=app).values_list("action", flat=True)
    )
    assert actions.count("propose") == 1 and actions.count("revoke") == 5
    detail = clients["county_token"].get(f"{API}/stars/applications/{app.pk}").json()
    assert detail["held"] == 0 and detail["proposals"][0]["state"] == "revoked"
    assert {e["action"] for e in detail["events"]} >= {"propose", "revoke"}


def test_during_the_notice_the_case_enters_as_an_objection_and_nothing_is_confirmed(
    walk, county_user
):
    tree, villages, townships, clients = walk
    app = five_star(tree, villages, state=AppState.PUBLISHED)
    county, _township = read_everywhere(tree, townships, clients, county_user)
    assert county.five == 1

    record_incident(clients["village"], tree.village_a1)
    proposal = RevocationProposal.objects.get(application=app)
    assert proposal.state == ProposalState.OBJECTION
    objection = proposal.objection
    assert objection.decision == ObjectionDecision.PENDING
    # The scheduler cannot confirm the result over the open case.
    assert applications_finalise(today=dt.date(2026, 12, 20)) == 0
    app.refresh_from_db()
    assert app.state == AppState.PUBLISHED
    # Upheld by the county: back to review and re-approval; the result is no longer published.
    upheld = clients["county"].post(
        f"{API}/stars/applications/{app.pk}/objections/decide",
        json={"objection_id": objection.pk, "decision": "upheld", "note": "案件属实，退回重新审定"},
    )
    assert upheld.status_code == 200, upheld.text
    app.refresh_from_db()
    assert app.state == AppState.TOWNSHIP_REVIEWED
    after_county, after_township = read_everywhere(tree, townships, clients, county_user)
    assert after_county.five == county.five - 1 and after_county.share == 33.3
    # 东村 has no published result any more: a2's three stars over both villages.
    assert after_township.five == 0 and after_township.share == 50.0


def test_a_voided_incident_withdraws_its_proposal_and_changes_nothing(walk, county_user):
    tree, villages, townships, clients = walk
    app = five_star(tree, villages)
    before = read_everywhere(tree, townships, clients, county_user)
    incident_id = record_incident(clients["village"], tree.village_a1)
    proposal = RevocationProposal.objects.get(application=app)
    voided = clients["village"].post(
        f"{API}/ledgers/incidents/{incident_id}/void",
        json={"reason": "经核实，案发地不在本村"},
    )
    assert voided.status_code == 201, voided.text
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.WITHDRAWN
    assert "经核实，案发地不在本村" in proposal.decision_note
    assert ApplicationEvent.objects.filter(application=app, action="withdraw").count() == 1
    # Nothing left for the county, and a withdrawn proposal cannot be decided.
    assert "摘星建议待决定" not in clients["county"].get("/orders/").text
    late = clients["county"].post(
        f"{API}/stars/proposals/{proposal.pk}/decide", json={"revoke": True, "note": "补充处理"}
    )
    assert late.status_code == 422
    assert read_everywhere(tree, townships, clients, county_user) == before


def test_a_voided_incident_during_the_notice_withdraws_the_objection(walk, county_user):
    tree, villages, _townships, clients = walk
    app = five_star(tree, villages, state=AppState.PUBLISHED)
    incident_id = record_incident(clients["village"], tree.village_a1)
    objection = Objection.objects.get(application=app)
    clients["village"].post(
        f"{API}/ledgers/incidents/{incident_id}/void", json={"reason": "经核实，系重复登记"}
    ).raise_for_status()
    objection.refresh_from_db()
    assert objection.decision == ObjectionDecision.WITHDRAWN
    # Nothing pending: the notice ends and the scheduler confirms.
    assert applications_finalise(today=dt.date(2026, 12, 20)) == 1


def test_a_proposal_out_of_scope_answers_404_like_not_found(walk, live_server, township_b_user):
    tree, villages, _townships, clients = walk
    five_star(tree, villages)
    record_incident(clients["village"], tree.village_a1)
    proposal = RevocationProposal.objects.get()
    other = token_client(live_server.url, township_b_user.username)
    try:
        for response in (
            other.get(f"{API}/stars/proposals/{proposal.pk}"),
            other.get(f"{API}/stars/proposals/{proposal.pk + 1000}"),
            other.post(
                f"{API}/stars/proposals/{proposal.pk}/decide",
                json={"revoke": True, "note": "越权处理测试"},
            ),
        ):
            assert response.status_code == 404, response.text
        assert other.get(f"{API}/stars/proposals").json() == []
    finally:
        other.close()
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.OPEN
