"""Visits that close the loop, against a real visits container and RabbitMQ: who may log where
(assignments with their ends, working groups with their periods, unscheduled visits), a working
group's visit, amendments and withdrawals, the branch brief built from case events, the
satisfaction review, and the queries. Registry and case events are published by the test."""
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.visits.service import VisitsService
from shared import contracts
from shared.clock import Clock
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolated
from tests.interface.helpers import drain, publish, wait_for

BRANCH = "vp.bx.th.np"
OTHER = "vp.bx.th.dn"
BINH = {"user_id": "u-binh", "role": "cadre", "cadre_id": "tran-thi-binh"}
CUONG = {"user_id": "u-cuong", "role": "cadre", "cadre_id": "le-van-cuong"}
DUNG = {"user_id": "u-dung", "role": "cadre", "cadre_id": "pham-van-dung"}
ADMIN = {"user_id": "u-admin", "role": "administrator"}
TODAY = dt.date.today()
DAY = 86400


def ago(days):
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def visits(container_factory, config, tmp_path):
    # one worker: the events of one queue are handled in the order published, so a test can
    # publish a late event and then a sign that it was handled
    config = {**config, "TEST_CLOCK_FILE": str(tmp_path / "clock"), "max_workers": 1}
    container_factory(VisitsService, config).start()
    for unit_id, name in ((BRANCH, "Chi bộ thôn Nội Phật"), (OTHER, "Chi bộ thôn Đông")):
        publish(config, contracts.UNIT_REGISTERED.new({
            "unit_id": unit_id, "name": name, "level": "branch", "parent_id": "vp.bx.th",
            "path": ["vp", "vp.bx", "vp.bx.th", unit_id]}))
    with ServiceRpcProxy("visits", config, timeout=15) as proxy:
        proxy.config = config
        wait_for(lambda: _known(proxy, OTHER) and _known(proxy, BRANCH), what="the units")
        yield proxy


def _known(proxy, unit_id):
    try:
        return proxy.get_unit(unit_id)
    except NotFound:
        return None


def assign(visits, cadre_id, unit_id, starts_on, assignment_id=None):
    assignment_id = assignment_id or contracts.new_id()
    publish(visits.config, contracts.ASSIGNMENT_MADE.new({
        "assignment_id": assignment_id, "cadre_id": cadre_id, "unit_id": unit_id,
        "rule": "district_member_to_branch", "starts_on": starts_on}))
    wait_for(lambda: visits.knows_assignment(cadre_id, unit_id), what="the assignment")
    return assignment_id


def form_group(visits, **overrides):
    group = {"working_group_id": "wg-1", "name": "Tổ công tác số 1", "formed_by_unit_id": "vp.bx",
             "member_cadre_ids": ["le-van-cuong", "pham-van-dung"], "unit_ids": [BRANCH],
             "starts_on": ago(30), "ends_on": None, **overrides}
    publish(visits.config, contracts.WORKING_GROUP_FORMED.new(group))
    wait_for(lambda: visits.knows_working_group(group["working_group_id"]), what="the group")


def visit(day, unit_id=BRANCH, **overrides):
    return {"submission_id": contracts.new_id(), "unit_id": unit_id,
            "meeting_date": day.isoformat(), "meeting_kind": "regular",
            "attendance": {"present": 20, "expected": 25},
            "assessment": {"leadership": 4, "education": 3, "combativeness": 3}, **overrides}


def concern(summary, **overrides):
    return {"topic": "infrastructure", "raised_by": "resident", "summary": summary, **overrides}


# --- who may log where -----------------------------------------------------------------------

def test_an_ended_assignment_no_longer_lets_the_cadre_log_after_its_last_day(visits):
    assignment_id = assign(visits, "tran-thi-binh", BRANCH, ago(60))
    publish(visits.config, contracts.ASSIGNMENT_ENDED.new({
        "assignment_id": assignment_id, "cadre_id": "tran-thi-binh", "unit_id": BRANCH,
        "ends_on": ago(10), "reason": "chuyển công tác"}))
    wait_for(lambda: _refused(visits, visit(ago(5)), BINH), what="the end of the assignment")
    assert visits.log_visit(visit(ago(10)), BINH)["basis"] == "assignment"  # its last day
    with pytest.raises(Forbidden) as refused:
        visits.log_visit(visit(ago(5)), BINH)
    assert refused.value.fields["rule"] == ["assigned_units_only"]


def _refused(visits, body, principal):
    try:
        visits.log_visit(body, principal)
    except Forbidden:
        return True
    return False


def test_a_working_group_member_logs_only_within_the_groups_period_and_branches(visits):
    form_group(visits, starts_on=ago(20), ends_on=ago(5))
    assert visits.log_visit(visit(ago(10)), CUONG)["basis"] == "working_group"
    for day, unit_id in ((ago(3), BRANCH), (ago(25), BRANCH), (ago(10), OTHER)):
        with pytest.raises(Forbidden):
            visits.log_visit(visit(day, unit_id), CUONG)
    # the group is changed (its period extended): the newest event stands
    form_group(visits, starts_on=ago(20), ends_on=None)
    wait_for(lambda: not _refused(visits, visit(ago(3)), CUONG), what="the group's change")


def test_an_unscheduled_visit_is_accepted_flagged_and_listed_for_the_committee(visits):
    with pytest.raises(Forbidden):
        visits.log_visit(visit(ago(2)), BINH)
    body = visit(ago(2), unscheduled={"reason": "Dự thay đồng chí phụ trách đi vắng"})
    logged = visits.log_visit(body, BINH)
    assert logged["basis"] == "unscheduled" and logged["unscheduled"]["reason"]
    listed = visits.unscheduled_visits({}, ADMIN)["visits"]
    assert [v["visit_id"] for v in listed] == [logged["visit_id"]]
    assert visits.unscheduled_visits({"unit_id": OTHER}, ADMIN)["visits"] == []
    with pytest.raises(Forbidden):  # the committee's list, not the cadres'
        visits.unscheduled_visits({}, BINH)
    with pytest.raises(InvalidInput):  # an unscheduled visit needs its reason
        visits.log_visit(visit(ago(2), unscheduled={}), BINH)


# --- a working group's visit -----------------------------------------------------------------

def test_a_groups_visit_is_logged_once_and_counts_for_every_member_who_attended(visits):
    form_group(visits)
    body = visit(ago(4), working_group_id="wg-1", attended_cadre_ids=["pham-van-dung"])
    logged = visits.log_visit(body, CUONG)
    assert logged["attended_cadre_ids"] == ["le-van-cuong", "pham-van-dung"]
    assert visits.log_visit(body, CUONG)["replayed"] is True
    with pytest.raises(Conflict) as twice:  # the other member logs the same meeting again
        visits.log_visit(visit(ago(4), working_group_id="wg-1"), DUNG)
    assert "working_group_id" in twice.value.fields
    with pytest.raises(InvalidInput):  # only members attend as the group
        visits.log_visit(visit(ago(6), working_group_id="wg-1",
                               attended_cadre_ids=["tran-thi-binh"]), CUONG)
    with pytest.raises(Forbidden):  # not a member
        visits.log_visit(visit(ago(6), working_group_id="wg-1"), BINH)
    # it is in both members' history, and the other member may read it
    for member in (CUONG, DUNG):
        mine = visits.list_visits({}, member)["visits"]
        assert [v["visit_id"] for v in mine] == [logged["visit_id"]]
    assert visits.get_visit(logged["visit_id"], DUNG)["working_group_id"] == "wg-1"
    with pytest.raises(Forbidden):
        visits.list_visits({"cadre_id": "le-van-cuong"}, DUNG)
    by_admin = visits.list_visits({"cadre_id": "pham-van-dung", "unit_id": BRANCH}, ADMIN)
    assert len(by_admin["visits"]) == 1


# --- amendments ------------------------------------------------------------------------------

def test_the_author_amends_within_the_window_keeping_every_version(visits):
    assign(visits, "tran-thi-binh", BRANCH, ago(60))
    logged = visits.log_visit(visit(ago(1), concerns=[
        concern("Đường thôn xuống cấp", raised_by_name="Nguyễn Văn Hai",
                raised_by_contact="0912 000 111", raiser_consent=True),
        concern("Thiếu đèn chiếu sáng")]), BINH)
    first, second = [c["concern_id"] for c in logged["concerns"]]
    amendment = {"submission_id": contracts.new_id(),
                 "attendance": {"present": 22, "expected": 25},
                 "concerns": [{"concern_id": first}, {"concern_id": second},
                              concern("Nước sinh hoạt bị đục", urgency="urgent")],
                 "withdrawals": [{"concern_id": second, "reason": "Đã được xã lắp đèn"}]}
    amended = visits.amend_visit(logged["visit_id"], amendment, BINH)
    assert amended["version"] == 2 and amended["attendance"]["present"] == 22
    concerns = {c["concern_id"]: c for c in amended["concerns"]}
    assert concerns[second]["withdrawn"] and concerns[second]["withdrawn_reason"]
    assert len(concerns) == 3
    # each concern_raised names its carrier, the amendment's too: notifications learns the
    # cadre there (issue 27), and never hears of visit_logged or visit_amended
    raised = []
    wait_for(lambda: raised.extend(drain(visits.config, "escalations.concern_raised"))
             or len(raised) == 3, what="three concern_raised")
    assert [body["payload"]["cadre_id"] for body, _ in raised] == ["tran-thi-binh"] * 3
    assert visits.amend_visit(logged["visit_id"], amendment, BINH)["replayed"] is True
    with pytest.raises(Conflict):  # the same amendment id with other data
        visits.amend_visit(logged["visit_id"], {**amendment, "withdrawals": []}, BINH)
    # the first version is kept as it was
    v1 = visits.get_visit_version(logged["visit_id"], 1, BINH)
    assert v1["attendance"]["present"] == 20 and len(v1["concerns"]) == 2
    assert v1["concerns"][0]["raised_by_name"] == "Nguyễn Văn Hai"  # the author's own
    # a raised concern cannot be removed, only withdrawn
    with pytest.raises(RuleViolated) as removed:
        visits.amend_visit(logged["visit_id"], {"submission_id": contracts.new_id(),
                                                "concerns": [{"concern_id": first}]}, BINH)
    assert "concerns" in removed.value.fields
    with pytest.raises(InvalidInput):  # nor rewritten
        visits.amend_visit(logged["visit_id"], {
            "submission_id": contracts.new_id(),
            "concerns": [{"concern_id": first, "summary": "khác"}]}, BINH)
    with pytest.raises(NotFound):  # another cadre's visit is not theirs to amend
        visits.amend_visit(logged["visit_id"], {**amendment, "submission_id": "x1"}, CUONG)
    # 48 hours after logging, the window is closed
    Clock.move(visits.config["TEST_CLOCK_FILE"], 49 * 3600)
    with pytest.raises(RuleViolated) as late:
        visits.amend_visit(logged["visit_id"], {"submission_id": contracts.new_id(),
                                                "concerns": amended["concerns"][:0] + [
                                                    {"concern_id": c} for c in concerns]}, BINH)
    assert "logged_at" in late.value.fields


# --- the brief and the satisfaction review ---------------------------------------------------

def case_event(event_type, concern_id, case_id, seconds_ago, **payload):
    """A case event that happened ``seconds_ago`` (escalations' events are that far apart)."""
    return event_type.new({"case_id": case_id, "concern_id": concern_id,
                           "authority_id": "ubnd-xa-tam-hop", **payload},
                          occurred_at=contracts.utcnow() - dt.timedelta(seconds=seconds_ago))


def test_the_brief_shows_open_concerns_answers_to_read_out_and_what_is_overdue(visits):
    assign(visits, "tran-thi-binh", BRANCH, ago(60))
    logged = visits.log_visit(visit(ago(20), concerns=[concern("Đường thôn xuống cấp"),
                                                       concern("Thiếu đèn chiếu sáng")]), BINH)
    road, light = [c["concern_id"] for c in logged["concerns"]]
    brief = visits.branch_brief(BRANCH, {}, BINH)
    assert {c["concern_id"]: c["status"] for c in brief["open_concerns"]} == {
        road: "raised", light: "raised"}
    assert brief["last_visits"][0]["assessment"]["leadership"] == 4

    answered_at = contracts.utcnow()
    for event in (
            case_event(contracts.CASE_ROUTED, road, "k-road", 60, rule_id="r1",
                       acknowledge_by=ago(15)),
            case_event(contracts.CASE_ROUTED, light, "k-light", 60, rule_id="r1",
                       acknowledge_by=ago(15)),
            case_event(contracts.CASE_ANSWERED, road, "k-road", 1, answer="Đã đưa vào kế hoạch",
                       answered_at=answered_at, original_case_id=None)):
        publish(visits.config, event)
    brief = wait_for(lambda: _brief_when(visits, lambda b: b["answers_to_read_out"]
                                         and len(b["overdue"]) == 1), what="the case events")
    [to_read] = brief["answers_to_read_out"]
    assert (to_read["case_id"], to_read["answer"]) == ("k-road", "Đã đưa vào kế hoạch")
    [late] = brief["overdue"]  # routed, never acknowledged, its acknowledge day passed
    assert (late["concern_id"], late["holder_authority_id"]) == (light, "ubnd-xa-tam-hop")
    # a late, older event (redelivered routing) does not take the answered case back; a newer
    # one about the other case is the sign both were handled
    publish(visits.config, case_event(contracts.CASE_ROUTED, road, "k-road", 30, rule_id="r1",
                                      acknowledge_by=ago(15)))
    publish(visits.config, case_event(contracts.CASE_ACKNOWLEDGED, light, "k-light", 0,
                                      answer_by=ago(2), started=False))
    brief = wait_for(lambda: _brief_when(visits, lambda b: any(
        c["status"] == "acknowledged" for c in b["open_concerns"])), what="the acknowledgement")
    assert {c["concern_id"]: c["status"] for c in brief["open_concerns"]}[road] == "answered"
    with pytest.raises(Forbidden):  # not this cadre's branch
        visits.branch_brief(BRANCH, {}, CUONG)
    assert visits.branch_brief(BRANCH, {"limit": 1}, BINH)["next_cursor"]

    # the next meeting reads the answer out: the members are not satisfied
    with pytest.raises(RuleViolated):  # an unanswered case is not reviewed
        visits.log_visit(visit(ago(1), answer_reviews=[
            {"case_id": "k-light", "satisfied": True}]), BINH)
    visits.log_visit(visit(ago(1), answer_reviews=[
        {"case_id": "k-road", "satisfied": False, "comment": "Chưa có thời hạn cụ thể"}]), BINH)
    brief = visits.branch_brief(BRANCH, {}, BINH)
    assert brief["answers_to_read_out"] == []
    assert [v["meeting_date"] for v in brief["last_visits"]] == [ago(1).isoformat(),
                                                                 ago(20).isoformat()]


def _brief_when(visits, condition):
    brief = visits.branch_brief(BRANCH, {}, BINH)
    return brief if condition(brief) else None


def test_a_branchs_meeting_record_over_a_year(visits):
    assign(visits, "tran-thi-binh", BRANCH, dt.date(TODAY.year - 1, 1, 1))
    year = TODAY.year - 1
    for month, kind, present, leadership in ((1, "regular", 20, 4), (2, "regular", 15, 2),
                                             (2, "thematic", 25, 5)):
        day = dt.date(year, month, 10 + (kind == "thematic"))
        visits.log_visit(visit(day, meeting_kind=kind,
                               attendance={"present": present, "expected": 25},
                               assessment={"leadership": leadership, "education": 3,
                                           "combativeness": 4}), BINH)
    record = visits.meeting_record(BRANCH, {"year": year}, ADMIN)
    assert record["regular_meetings_attended"] == 2
    assert record["thematic_meetings_attended"] == 1
    assert record["months_with_regular_meeting"] == [f"{year}-01", f"{year}-02"]
    assert record["attendance_rate"] == round(60 / 75, 3)
    assert record["assessment_averages"] == {"leadership": 3.67, "education": 3.0,
                                             "combativeness": 4.0}
    assert visits.meeting_record(BRANCH, {"year": year - 1}, BINH)["meetings_attended"] == 0
    with pytest.raises(Forbidden):
        visits.meeting_record(BRANCH, {"year": year}, CUONG)
