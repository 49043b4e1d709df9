"""A visit logged builds no marshmallow schema once one was logged: its request and reply
schemas, its events' envelope and the cadre's principal are each built once and reused.
Counted, not timed (docs/reports/benchmark/2026-12-07-hot27.md)."""
import datetime as dt

from shared import contracts
from tests.interface.helpers import publish, wait_for
from tests.interface.test_visit_scope import BINH, BRANCH, visit, visits  # noqa: F401
from tests.schemas_counted import count_schemas


def test_a_second_visit_logged_builds_no_schema(visits, config, monkeypatch):  # noqa: F811
    last_week = dt.date.today() - dt.timedelta(days=7)
    publish(config, contracts.ASSIGNMENT_MADE.new({
        "assignment_id": "a1", "cadre_id": "tran-thi-binh", "unit_id": BRANCH,
        "rule": "district_member_to_branch", "starts_on": last_week}, actor="u-admin"))
    wait_for(lambda: visits.knows_assignment("tran-thi-binh", BRANCH), what="the assignment")
    concern = {"topic": "land", "summary": "Ranh giới đất chưa rõ", "raised_by": "resident"}
    first = visits.log_visit({**visit(last_week.isoformat()), "concerns": [concern]}, BINH)
    schemas_built = count_schemas(monkeypatch)
    second = visits.log_visit({**visit(dt.date.today().isoformat()), "concerns": [concern]},
                              BINH)
    assert schemas_built == []
    assert second["visit_id"] != first["visit_id"] and not second["replayed"]
    assert [c["summary"] for c in second["concerns"]] == [concern["summary"]]
