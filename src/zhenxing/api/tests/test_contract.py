"""The API keeps its contract: schemathesis reads the live OpenAPI schema and sends every operation
generated requests, valid ones and malformed ones, as a county admin and as a village secretary
(with a bearer token), against the live server.

Every answer must be no server error, a status the operation documents, the documented content
type, and a body that matches the documented schema. The failures are collected over all
operations and reported together (no shrinking: that is what a failure's message is for).

``ZHENXING_CONTRACT_EXAMPLES`` (default 2) is the number of generated requests per operation and
mode (valid, malformed): CI's cost is about that times 2 modes × 2 personas × the operations; set
it higher to look harder by hand (e.g. 50)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zhenxing.api.tests.live import API, token_client
from zhenxing.conftest import add_household
from zhenxing.orders.models import Category
from zhenxing.orders.tests.conftest import member_with_account

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = int(os.environ.get("ZHENXING_CONTRACT_EXAMPLES", "2"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class Summary:
    operations: int = 0
    cases: int = 0
    failures: list[str] = field(default_factory=list)


def fuzz(base_url: str, token: str, examples: int) -> Summary:
    schema = schemathesis.openapi.from_url(f"{base_url}{API}/openapi.json", timeout=30)
    session = requests.Session()
    session.headers["Authorization"] = token
    summary = Summary()
    for result in schema.get_all_operations():
        operation = result.ok()
        summary.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            where = f"{operation.method.upper()} {operation.path} ({mode.value})"
            run = _runner(base_url, session, summary, where, examples)
            given(case=operation.as_strategy(generation_mode=mode))(run)()
    session.close()
    return summary


def _runner(base_url: str, session: requests.Session, summary: Summary, where: str, examples: int):
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        summary.cases += 1
        response = case.call(base_url=base_url, session=session, timeout=60)
        try:
            case.validate_response(response, checks=CHECKS)
        except (
            Exception,
            BaseExceptionGroup,
        ) as exc:  # every failure of every operation, reported at the end
            summary.failures.append(f"{where}: {str(exc)[:600]}")

    return run


@pytest.mark.parametrize("username", ["county_u", "village_a1_u"])
def test_every_operation_keeps_its_contract(
    live_server, tree, county_user, village_a1_user, username
):
    household = add_household(tree.village_a1, "A1-001", people=2)
    member_with_account(tree.village_a1, "901", "party_a1_u")
    Category.objects.get_or_create(name="环境卫生", defaults={"time_limit_days": 3, "sort": 5})
    assert household.pk
    client = token_client(live_server.url, username)
    token = client.headers["Authorization"]
    client.close()
    summary = fuzz(live_server.url, token, EXAMPLES)
    print(  # the summary the closing note quotes
        f"schemathesis as {username}: {summary.operations} operations, {summary.cases} cases, "
        f"{len(summary.failures)} failures"
    )
    assert summary.operations > 100
    assert summary.failures == [], "\n".join(summary.failures[:40])
