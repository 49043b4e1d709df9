"""The registry through the running system, over HTTP: the demo data with its 2025 reorganisation
(Vĩnh Phúc merged into Phú Thọ, districts removed, communes merged), answered as of a day before
and after it; a concern raised after it still routed by the rules attached to the old area; an
administrator hands a rule over to the new commune's authority; search without diacritics."""
import datetime as dt

import pytest
import requests

from shared import contracts
from tests.integration.fixtures import DEMO, SystemOptions
from tests.integration.system import poll

pytestmark = pytest.mark.integration

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
TAM_HOP = "vinh-phuc.binh-xuyen.tam-hop"
NEW_COMMUNE = "phu-tho.binh-xuyen"
BEFORE, AFTER = "2025-06-30", "2025-07-01"
SYSTEM = SystemOptions(reorganise=True)


def get(system, path, who="cadre", **params):
    return requests.get(f"{system.base_url}{path}", params=params,
                        headers=system.headers[who], timeout=10)


def send(system, method, path, body, who="admin"):
    return requests.request(method, f"{system.base_url}{path}", json=body,
                            headers=system.headers[who], timeout=10)


def test_the_tree_answers_as_it_stood_before_and_after_the_merger(system):
    before = get(system, f"/units/{NOI_PHAT}", as_of=BEFORE)
    after = get(system, f"/units/{NOI_PHAT}", as_of=AFTER)
    assert before.status_code == after.status_code == 200
    assert before.json()["path"] == ["vinh-phuc", "vinh-phuc.binh-xuyen", TAM_HOP, NOI_PHAT]
    assert after.json()["path"] == ["phu-tho", NEW_COMMUNE, NOI_PHAT]
    assert after.json()["meeting_schedule"] == {"frequency": "monthly", "day_of_month": 5,
                                                "note": None}
    gone = get(system, f"/units/{TAM_HOP}", as_of=AFTER)
    assert gone.status_code == 404 and "as_of" in gone.json()["fields"]
    assert get(system, f"/units/{TAM_HOP}", as_of=BEFORE).json()["name"] == "Đảng bộ xã Tam Hợp"

    def unit_ids(day):
        return {u["unit_id"] for u in get(system, "/units", as_of=day, limit=500).json()["units"]}
    assert {"vinh-phuc", "vinh-phuc.binh-xuyen", TAM_HOP} <= unit_ids(BEFORE)
    assert not {"phu-tho", NEW_COMMUNE} & unit_ids(BEFORE)
    assert {"phu-tho", NEW_COMMUNE, NOI_PHAT} <= unit_ids(AFTER)
    assert not {"vinh-phuc", "vinh-phuc.binh-xuyen", TAM_HOP} & unit_ids(AFTER)

    history = get(system, f"/units/{NOI_PHAT}/history").json()["versions"]
    assert [(v["in_force_from"], v["in_force_to"]) for v in history] == [(None, BEFORE),
                                                                         (AFTER, None)]
    # the assignment to the merged commune was carried to its successor
    carried = get(system, "/cadres/nguyen-van-an/assignments",
                  as_of=dt.date.today().isoformat()).json()["assignments"]
    assert [(a["unit_id"], a["carried_from"] is not None) for a in carried] == [
        (NEW_COMMUNE, True)]
    listed = get(system, "/reorganisations", who="admin").json()["reorganisations"]
    assert {r["operation_id"] for r in listed} == {op["operation_id"]
                                                   for op in DEMO["reorganisations"]}
    assert all(r["status"] == "applied" for r in listed)


def visit(topic):
    return {"submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
            "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
            "meeting_kind": "regular", "attendance": {"present": 20, "expected": 25},
            "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
            "concerns": [{"topic": topic, "raised_by": "resident",
                          "summary": "Đường liên thôn Nội Phật xuống cấp"}]}


def holder(system, concern_id):
    return poll(lambda: get(system, f"/concerns/{concern_id}").json(),
                lambda concern: concern.get("case") is not None)["case"]["authority_id"]


def test_rules_stay_attached_to_the_old_area_until_handed_over(system):
    logged = send(system, "POST", "/visits", visit("infrastructure"), who="cadre")
    assert logged.status_code == 201, logged.text
    # the rule made for Tam Hợp still applies to its former branch
    assert holder(system, logged.json()["concerns"][0]["concern_id"]) == "ubnd-xa-tam-hop"

    authority = send(system, "POST", "/authorities", {
        "authority_id": "ubnd-xa-binh-xuyen", "name": "UBND xã Bình Xuyên",
        "kind": "peoples_committee", "level": "grassroots", "unit_id": NEW_COMMUNE,
        "parent_authority_id": "ubnd-tinh-vinh-phuc"})
    assert authority.status_code == 201, authority.text
    handover = {"authority_id": "ubnd-xa-binh-xuyen", "changed_on": AFTER,
                "new_rule_id": "infrastructure-xa-binh-xuyen"}
    changed = send(system, "PATCH", "/routing-rules/infrastructure-tam-hop", handover)
    assert changed.status_code == 200, changed.text
    assert changed.json()["retired"]["effective_to"] == BEFORE
    assert send(system, "PATCH", "/routing-rules/infrastructure-tam-hop",
                handover).json() == changed.json()  # a re-sent change changes nothing
    in_force = {r["rule_id"] for r in get(system, "/routing-rules", as_of=AFTER,
                                          limit=500).json()["routing_rules"]}
    assert "infrastructure-xa-binh-xuyen" in in_force and "infrastructure-tam-hop" not in in_force

    logged = send(system, "POST", "/visits", visit("infrastructure"), who="cadre")
    assert holder(system, logged.json()["concerns"][0]["concern_id"]) == "ubnd-xa-binh-xuyen"


def test_search_finds_names_with_or_without_diacritics(system):
    found = get(system, "/search", q="noi phat").json()
    assert [u["unit_id"] for u in found["units"]] == [NOI_PHAT]
    found = get(system, "/search", q="TAM HỢP", as_of=BEFORE).json()
    assert {u["unit_id"] for u in found["units"]} >= {TAM_HOP, NOI_PHAT}
    assert {a["authority_id"] for a in found["authorities"]} == {"dang-uy-xa-tam-hop",
                                                                 "ubnd-xa-tam-hop"}
    assert [c["cadre_id"] for c in get(system, "/search", q="tran thi").json()["cadres"]] == [
        "tran-thi-binh"]
    assert get(system, "/search", q="tran thi", who="operator").json()["cadres"] == []
    refused = get(system, "/search", q="?!")
    assert refused.status_code == 400 and "q" in refused.json()["fields"]
