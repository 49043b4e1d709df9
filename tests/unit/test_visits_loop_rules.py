"""The visits service's rules for closing the loop, checked without any service running: who may
log where (assignments and their ends, working groups and their periods, unscheduled visits),
who a group's visit counts for, amendments, the case view the brief reads, and the meeting
record."""
import datetime as dt

import pytest

from services.visits import amendments, branch, rules
from shared.authorisation import Principal
from shared.contracts import UTC
from shared.contracts.rpc.visits import AmendVisit, LogVisit
from shared.errors import Forbidden, InvalidInput, NotFound, RuleViolated

D = dt.date(2026, 11, 20)
BRANCH = "vp.bx.th.np"
GROUP = {"_id": "wg-1", "unit_ids": [BRANCH], "member_cadre_ids": ["a", "b"],
         "starts_on": "2026-11-01", "ends_on": "2026-11-30"}


# --- who may log where -----------------------------------------------------------------------

def test_an_assignment_holds_from_its_first_to_its_last_day():
    held = [{"starts_on": "2026-11-10", "ends_on": "2026-11-20"}]
    assert rules.check_may_log_at(held, BRANCH, D) == rules.ASSIGNMENT
    for day in (dt.date(2026, 11, 9), dt.date(2026, 11, 21)):
        with pytest.raises(Forbidden) as refused:
            rules.check_may_log_at(held, BRANCH, day)
        assert refused.value.fields["rule"] == [rules.ASSIGNED_UNITS_ONLY]
    # an end that arrived before its start (another queue) lets nothing through
    with pytest.raises(Forbidden):
        rules.check_may_log_at([{"ends_on": "2026-12-31"}], BRANCH, D)


def test_a_working_group_member_may_log_where_and_while_the_group_attends():
    assert rules.check_may_log_at([], BRANCH, D, [GROUP]) == rules.WORKING_GROUP
    assert rules.check_may_log_at([], BRANCH, D, [GROUP], "wg-1") == rules.WORKING_GROUP
    with pytest.raises(Forbidden):  # after the group's period
        rules.check_may_log_at([], BRANCH, dt.date(2026, 12, 1), [GROUP])
    with pytest.raises(Forbidden):  # a branch the group does not attend
        rules.check_may_log_at([], "vp.bx.th.dn", D, [GROUP])
    with pytest.raises(Forbidden) as other:  # a group the cadre is not in
        rules.check_may_log_at([{"starts_on": "2026-01-01"}], BRANCH, D, [GROUP], "wg-2")
    assert other.value.fields["rule"] == [rules.WORKING_GROUP_MEMBERS_ONLY]
    assert "working_group_id" in other.value.fields


def test_an_unscheduled_visit_is_accepted_only_with_a_reason_and_never_for_a_group():
    reason = {"reason": "thay đồng chí phụ trách"}
    assert rules.check_may_log_at([], BRANCH, D, (), None, reason) == rules.UNSCHEDULED
    # assigned after all: an ordinary visit, not flagged
    assert rules.check_may_log_at([{"starts_on": "2026-01-01"}], BRANCH, D, (), None,
                                  reason) == rules.ASSIGNMENT
    with pytest.raises(InvalidInput):
        rules.check_may_log_at([], BRANCH, D, [GROUP], "wg-1", reason)
    errors = LogVisit().validate({"unscheduled": {}})
    assert errors["unscheduled"] == {"reason": ["Missing data for required field."]}


def test_a_groups_visit_counts_for_the_members_who_attended_and_the_one_who_logs_it():
    assert rules.who_attended(GROUP, "a", ["b"]) == ["a", "b"]
    assert rules.who_attended(GROUP, "a", []) == ["a"]
    assert rules.who_attended(None, "a", []) == ["a"]
    with pytest.raises(InvalidInput) as stranger:
        rules.who_attended(GROUP, "a", ["c"])
    assert stranger.value.fields == {"attended_cadre_ids": ["not members of wg-1: c"]}
    with pytest.raises(InvalidInput):  # no group, no attendance list
        rules.who_attended(None, "a", ["b"])


def test_a_group_member_who_attended_reads_the_visit_and_nobody_else_does():
    visit = {"_id": "v1", "cadre_id": "a", "attended_cadre_ids": ["a", "b"]}
    assert rules.check_own_visit(visit, Principal("u-b", "cadre", cadre_id="b")) is visit
    with pytest.raises(NotFound):
        rules.check_own_visit(visit, Principal("u-c", "cadre", cadre_id="c"))
    with pytest.raises(NotFound):  # a concern is its carrier's only
        rules.check_own_visit(visit, Principal("u-b", "cadre", cadre_id="b"), "concern", "c1")


# --- amendments ------------------------------------------------------------------------------

LOGGED_AT = dt.datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WINDOW = dt.timedelta(hours=48)  # as deploy/config.yml sets VISIT_AMEND_WINDOW_HOURS


def stored_visit():
    return {"_id": "v1", "cadre_id": "a", "unit_id": BRANCH, "meeting_date": "2026-11-20",
            "logged_at": LOGGED_AT, "version": 1, "attendance": {"present": 5, "expected": 6},
            "outbox": [{"event": 1}],
            "concerns": [{"concern_id": "c1", "topic": "land", "summary": "Ranh giới",
                          "raised_by": "resident", "withdrawn": False},
                         {"concern_id": "c2", "topic": "land", "summary": "Sổ đỏ",
                          "raised_by": "resident", "withdrawn": False}]}


def amend(request, hours=1, visit=None):
    request = AmendVisit().dump(AmendVisit().load({"submission_id": "s2", **request}))
    ids = iter(["c3", "c4"])
    return amendments.plan_amendment(visit or stored_visit(), request,
                                     LOGGED_AT + dt.timedelta(hours=hours), WINDOW,
                                     lambda: next(ids))


def test_an_amendment_is_a_new_version_keeping_the_previous_one():
    plan = amend({"attendance": {"present": 6, "expected": 6},
                  "concerns": [{"concern_id": "c1"}, {"concern_id": "c2"},
                               {"topic": "environment", "raised_by": "party_member",
                                "summary": "Rác"}],
                  "withdrawals": [{"concern_id": "c2", "reason": "đã giải quyết"}]})
    assert plan.changes["version"] == 2 and plan.changes["attendance"]["present"] == 6
    assert plan.snapshot["version"] == 1 and plan.snapshot["attendance"]["present"] == 5
    assert "outbox" not in plan.snapshot
    assert [c["concern_id"] for c in plan.added] == ["c3"]
    assert plan.added[0]["added_in_version"] == 2
    [(withdrawn, reason)] = plan.withdrawn
    assert (withdrawn["concern_id"], reason, withdrawn["withdrawn"]) == ("c2", "đã giải quyết",
                                                                         True)
    assert [c["concern_id"] for c in plan.changes["concerns"]] == ["c1", "c2", "c3"]


def test_a_meeting_logged_member_by_member_keeps_its_lists_counts_and_no_client_claims_one():
    by_member = {**stored_visit(), "attendance": {"present": 5, "expected": 6, "by_member": True}}
    kept = [{"concern_id": "c1"}, {"concern_id": "c2"}]
    with pytest.raises(RuleViolated) as refused:
        amend({"attendance": {"present": 6, "expected": 6}, "concerns": kept}, visit=by_member)
    assert refused.value.fields["attendance"][0].code == "disagrees_with_list"
    plan = amend({"attendance": {"present": 5, "expected": 6}, "concerns": kept},
                 visit=by_member)
    assert plan.changes["attendance"] == {"present": 5, "expected": 6, "by_member": True}
    with pytest.raises(RuleViolated) as refused:
        amend({"attendance": {"present": 5, "expected": 6, "by_member": True},
               "concerns": kept})
    assert refused.value.fields["attendance.by_member"][0].code == "by_member_not_given"


def test_a_raised_concern_cannot_be_removed_or_rewritten_only_withdrawn():
    with pytest.raises(RuleViolated) as removed:
        amend({"concerns": [{"concern_id": "c1"}]})
    assert removed.value.fields == {"concerns": ["missing raised concern c2"]}
    errors = AmendVisit().validate({"submission_id": "s", "concerns": [
        {"concern_id": "c1", "summary": "khác"}]})
    assert "summary" in errors["concerns"][0]
    with pytest.raises(NotFound):
        amend({"concerns": [{"concern_id": "c1"}, {"concern_id": "c2"}],
               "withdrawals": [{"concern_id": "c9", "reason": "x"}]})
    errors = AmendVisit().validate({"submission_id": "s", "concerns": [
        {"concern_id": "c1"}, {"concern_id": "c1"}]})
    assert errors == {"concerns": ["lists a concern twice"]}


def test_a_withdrawn_concern_stays_withdrawn_once():
    plan = amend({"concerns": [{"concern_id": "c1"}, {"concern_id": "c2"}],
                  "withdrawals": [{"concern_id": "c1", "reason": "r"}]})
    visit = {**stored_visit(), **plan.changes}
    again = amendments.plan_amendment(
        visit, AmendVisit().load({"submission_id": "s3", "concerns": [
            {"concern_id": "c1"}, {"concern_id": "c2"}],
            "withdrawals": [{"concern_id": "c1", "reason": "r"}]}),
        LOGGED_AT, WINDOW, lambda: "x")
    assert again.withdrawn == [] and again.changes["version"] == 3


def test_the_window_closes_48_hours_after_logging():
    amend({"concerns": [{"concern_id": "c1"}, {"concern_id": "c2"}]}, hours=48)
    with pytest.raises(RuleViolated) as late:
        amend({"concerns": [{"concern_id": "c1"}, {"concern_id": "c2"}]}, hours=48.01)
    assert "logged_at" in late.value.fields


# --- the case view the brief reads -----------------------------------------------------------

def test_each_case_event_sets_the_state_holder_and_running_deadline():
    refs = {"case_id": "k1", "concern_id": "c1", "authority_id": "ubnd"}
    assert branch.case_changes("case_routed", {**refs, "acknowledge_by": D}) == {
        "case_id": "k1", "authority_id": "ubnd", "status": "routed", "open": True,
        "due_on": "2026-11-20"}
    assert branch.case_changes("case_acknowledged", {**refs, "answer_by": D,
                                                     "started": True})["status"] == "in_progress"
    assert branch.case_changes("case_information_requested", refs)["due_on"] is None
    assert "due_on" not in branch.case_changes("case_redirected", {**refs, "reason": "r"})
    closed = branch.case_changes("case_closed", {**refs, "outcome": "unresolved"})
    assert (closed["status"], closed["open"]) == ("closed_unresolved", False)
    assert branch.case_changes("case_withdrawn", refs)["open"] is False
    assert branch.case_changes("case_deadline_near", {**refs, "due_on": D}) == {
        "case_id": "k1", "authority_id": "ubnd", "due_on": "2026-11-20"}
    with pytest.raises(ValueError):
        branch.case_changes("visit_logged", refs)


# --- the meeting record ----------------------------------------------------------------------

def meeting(day, kind="regular", present=10, expected=20, scores=(3, 3, 3), minute=0):
    return {"meeting_date": day, "meeting_kind": kind,
            "attendance": {"present": present, "expected": expected},
            "assessment": dict(zip(branch.AXES, scores)),
            "logged_at": LOGGED_AT + dt.timedelta(minutes=minute)}


def test_a_year_of_meetings_counts_each_meeting_once_however_many_logged_it():
    record = branch.meeting_record([
        meeting("2026-01-10", scores=(5, 4, 3)),
        meeting("2026-01-10", present=12, scores=(4, 4, 4), minute=5),  # logged again, later
        meeting("2026-03-10", present=20, scores=(2, 2, 2)),
        meeting("2026-03-20", kind="thematic", present=8, expected=10, scores=(3, 5, 3)),
    ], 2026)
    assert record["regular_meetings_attended"] == 2
    assert record["thematic_meetings_attended"] == 1
    assert record["months_with_regular_meeting"] == ["2026-01", "2026-03"]
    assert record["attendance_rate"] == round(40 / 50, 3)
    assert record["assessment_averages"] == {"leadership": 3.0, "education": 3.67,
                                             "combativeness": 3.0}


def test_a_year_without_meetings_has_no_rates():
    record = branch.meeting_record([], 2026)
    assert record["meetings_attended"] == 0 and record["attendance_rate"] is None
    assert record["assessment_averages"] == {"leadership": None, "education": None,
                                             "combativeness": None}
