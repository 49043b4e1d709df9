"""The periodic report in the assignments service on the real RabbitMQ (issue 28): its read
model learns visits and concerns from events however they come (an amendment before its visit,
a case's answer before its concern, each sent twice), a committee's leading member asks for
a month's report and the service computes it in the background; anyone else is refused."""
import datetime as dt

import pytest

from shared import contracts
from shared.errors import Forbidden, InvalidInput, NotFound

# the registry of branch meetings' own tests: Bình holds a standing seat on the district
# committee bx, Dũng sits on it without one; the branches Nội Phật and Nam Tiến under it
from tests.interface import test_meeting_plans as meeting_plans
from tests.interface.helpers import publish, wait_for
from tests.interface.test_meeting_plans import ADMIN, BINH, DUNG

registry = meeting_plans.registry  # the same fixture, for this module's tests

UTC = dt.timezone.utc
MEETING = dt.date(2026, 11, 18)


def marks(value):
    return {"leadership": value, "education": value, "combativeness": value}


def publish_out_of_order(config):
    """Each fact after the one it follows, and twice (a redelivery is a new message)."""
    amended = contracts.VISIT_AMENDED.new({
        "visit_id": "v1", "unit_id": "np", "cadre_id": "binh", "version": 2,
        "meeting_date": MEETING, "added_concern_ids": [], "withdrawn_concern_ids": [],
        "attended_cadre_ids": ["binh"], "meeting_kind": "regular",
        "attendance": {"present": 19, "expected": 20}, "assessment": marks(5)})
    logged = {"visit_id": "v1", "unit_id": "np", "cadre_id": "binh", "meeting_date": MEETING,
              "meeting_kind": "regular", "concern_ids": ["c1"],
              "attendance": {"present": 15, "expected": 20}, "assessment": marks(1)}
    answered = {"case_id": "k1", "concern_id": "c1", "authority_id": "ubnd-th",
                "answer": "Đã trả lời", "answered_at": dt.datetime(2026, 11, 20, 3, tzinfo=UTC),
                "answer_by": dt.date(2026, 11, 27)}
    raised = {"concern_id": "c1", "visit_id": "v1", "unit_id": "np",
              "unit_path": ["vp", "bx", "th", "np"], "topic": "land",
              "summary": "Ranh giới đất chưa rõ", "raised_by": "resident",
              "raised_on": MEETING}
    reopened = {"case_id": "k1", "concern_id": "c1", "authority_id": "ubnd-th",
                "reason": "Chưa thỏa đáng", "answer_by": dt.date(2026, 12, 10)}
    for envelope in (amended, contracts.VISIT_LOGGED.new(logged),
                     contracts.VISIT_LOGGED.new(logged),
                     contracts.CASE_ANSWERED.new(answered), contracts.CASE_ANSWERED.new(
                         answered, event_id="answer-again"),
                     contracts.CONCERN_RAISED.new(raised), contracts.CONCERN_RAISED.new(raised),
                     contracts.CASE_REOPENED.new(reopened, occurred_at=dt.datetime(
                         2026, 11, 25, 2, tzinfo=UTC))):
        publish(config, envelope)


def test_a_leading_member_gets_the_months_report_from_events_in_any_order(registry, config):
    publish_out_of_order(config)

    def learnt():  # a report asked for once every fact is in, done in the background
        job = registry.request_report({"committee_unit_id": "bx", "period": "2026-11"},
                                      principal=BINH)
        done = wait_for(lambda: (lambda j: j if j["status"] != "pending" else None)(
            registry.report_job(job["job_id"], principal=BINH)), what="the report computed")
        topics = done["result"]["topics"]
        return done if topics and topics[0]["reopened"] and done["result"][
            "totals"]["meetings_held"] else None

    job = wait_for(learnt, timeout=20, interval=0.3, what="the events learnt")
    assert (job["status"], job["committee_name"], job["period"], job["requested_by"]) == (
        "done", "Huyện ủy Bình Xuyên", "2026-11", "u-binh")
    result = job["result"]
    # the amendment (version 2) stands though its visit came after it, and twice
    assert result["totals"] == {
        "meetings_held": 1, "meetings_attended_by_members": 1, "present": 19, "expected": 20,
        "attendance_rate": 0.95, "leadership_average": 5.0, "education_average": 5.0,
        "combativeness_average": 5.0}
    assert [(b["unit_id"], b["meetings_held"]) for b in result["branches"]] == [
        ("nt", 0), ("np", 1)]
    # one level down: both branches are part of the commune Tam Hợp, named as it stands
    assert [(p["unit_id"], p["name"], p["branches"], p["meetings_held"])
            for p in result["parts"]] == [("th", "Đảng bộ xã Tam Hợp", 2, 1)]
    # answered on the 20th, due the 27th: on time; reopened the 25th: unresolved
    assert result["topics"] == [{"topic": "land", "raised": 1, "answered_on_time": 1,
                                 "answered_late": 0, "reopened": 1, "unresolved": 1,
                                 "withdrawn": 0}]
    assert result["plan"]["attended_without_plan"] == 1   # Bình came, nobody planned it


def test_only_the_committees_leading_members_ask_for_and_read_its_report(registry):
    with pytest.raises(Forbidden):   # Dũng sits on the committee without a leading seat
        registry.request_report({"committee_unit_id": "bx", "period": "2026-11"},
                                principal=DUNG)
    with pytest.raises(Forbidden):   # Bình holds no seat on the commune's committee
        registry.request_report({"committee_unit_id": "th", "period": "2026-11"},
                                principal=BINH)
    with pytest.raises(InvalidInput) as refused:
        registry.request_report({"committee_unit_id": "bx", "period": "2026-14"},
                                principal=BINH)
    assert list(refused.value.reasons) == ["period"]
    job = registry.request_report({"committee_unit_id": "bx", "period": "2026"},
                                  principal=ADMIN)
    with pytest.raises(NotFound):   # someone else's committee's report: not found
        registry.report_job(job["job_id"], principal=DUNG)
    with pytest.raises(NotFound):
        registry.report_job("no-such-job", principal=BINH)
    assert registry.report_job(job["job_id"], principal=BINH)["period"] == "2026"
    # the committee's latest reports, for its leading members only
    [listed] = registry.committee_reports("bx", principal=BINH)["reports"]
    assert (listed["job_id"], listed["period"], listed.get("result")) == (
        job["job_id"], "2026", None)
    with pytest.raises(Forbidden):
        registry.committee_reports("bx", principal=DUNG)
