"""LogVisit: what a cadre may submit after attending a branch meeting."""
import datetime as dt

import pytest
from marshmallow import ValidationError

from shared import clock
from shared.contracts.rpc.visits import MAX_CONCERNS_PER_VISIT, LogVisit


def concern(**overrides):
    return {"topic": "land", "summary": "Ranh giới đất chưa rõ", "raised_by": "resident",
            **overrides}


def visit(**overrides):
    body = {
        "submission_id": "sub-0001",
        "unit_id": "vp.bx.tam-hop.noi-phat",
        "meeting_date": (clock.today() - dt.timedelta(days=3)).isoformat(),
        "meeting_kind": "regular",
        "attendance": {"present": 18, "expected": 22},
        "assessment": {"leadership": 4, "education": 3, "combativeness": 5},
        "concerns": [concern()],
    }
    body.update(overrides)
    return body


def with_score(**scores):
    return visit(assessment={**visit()["assessment"], **scores})


def load(body):
    return LogVisit().load(body)


def errors(body):
    with pytest.raises(ValidationError) as caught:
        load(body)
    return caught.value.messages


def test_a_valid_visit_loads():
    loaded = load(visit())
    assert loaded["meeting_date"] == clock.today() - dt.timedelta(days=3)
    assert loaded["attendance"] == {"present": 18, "expected": 22}
    assert loaded["assessment"]["note"] == ""
    assert loaded["concerns"] == [{**concern(), "urgency": "normal", "raised_by_name": None,
                                   "raised_by_contact": None, "locality_unit_id": None,
                                   "withhold_raiser": None, "confidential": False,
                                   "raiser_consent": False, "raiser_email": None,
                                   "joins_case_id": None}]
    assert (loaded["working_group_id"], loaded["attended_cadre_ids"]) == (None, [])
    assert (loaded["unscheduled"], loaded["answer_reviews"]) == (None, [])


def test_concerns_default_to_none_raised():
    body = visit()
    del body["concerns"]
    assert load(body)["concerns"] == []


# --- attendance ------------------------------------------------------------------------------

def test_everyone_present_is_accepted():
    assert load(visit(attendance={"present": 22, "expected": 22}))["attendance"]["present"] == 22


def test_more_present_than_expected_is_refused_on_present():
    assert errors(visit(attendance={"present": 23, "expected": 22})) == \
        {"attendance": {"present": ["cannot exceed expected"]}}


@pytest.mark.parametrize("attendance", [{"present": -1, "expected": 22},
                                        {"present": 0, "expected": 0},
                                        {"present": "18", "expected": 22}])
def test_impossible_attendance_is_refused(attendance):
    assert "attendance" in errors(visit(attendance=attendance))


# --- meeting date ----------------------------------------------------------------------------

@pytest.mark.parametrize("days_ahead", [0, 1])
def test_meeting_today_or_tomorrow_is_accepted_for_time_zones(days_ahead):
    day = clock.today() + dt.timedelta(days=days_ahead)
    assert load(visit(meeting_date=day.isoformat()))["meeting_date"] == day


@pytest.mark.parametrize("days_ahead", [2, 30])
def test_meeting_more_than_a_day_ahead_is_refused(days_ahead):
    day = clock.today() + dt.timedelta(days=days_ahead)
    assert "meeting_date" in errors(visit(meeting_date=day.isoformat()))


# --- concerns --------------------------------------------------------------------------------

def test_a_concern_with_an_unknown_topic_is_refused_naming_it():
    messages = errors(visit(concerns=[concern(), concern(topic="weather")]))
    assert set(messages["concerns"]) == {1}
    assert "topic" in messages["concerns"][1]


@pytest.mark.parametrize("bad", [{"raised_by": "journalist"}, {"summary": ""},
                                 {"summary": "x" * 2001}])
def test_a_concern_breaking_its_rules_is_refused(bad):
    assert "concerns" in errors(visit(concerns=[concern(**bad)]))


def test_fifty_concerns_are_accepted():
    body = visit(concerns=[concern()] * MAX_CONCERNS_PER_VISIT)
    assert MAX_CONCERNS_PER_VISIT == 50
    assert len(load(body)["concerns"]) == 50


def test_more_than_fifty_concerns_are_refused():
    assert "concerns" in errors(visit(concerns=[concern()] * (MAX_CONCERNS_PER_VISIT + 1)))


# --- assessment ------------------------------------------------------------------------------

@pytest.mark.parametrize("score", [1, 5])
def test_scores_at_the_ends_of_the_scale_are_accepted(score):
    assert load(with_score(education=score))["assessment"]["education"] == score


@pytest.mark.parametrize("score", [0, 6, -3])
def test_scores_outside_one_to_five_are_refused(score):
    assert errors(with_score(leadership=score))["assessment"].keys() == {"leadership"}


@pytest.mark.parametrize("score", ["4", 4.5, None])
def test_scores_that_are_not_integers_are_refused(score):
    assert errors(with_score(combativeness=score))["assessment"].keys() == {"combativeness"}


def test_a_missing_score_is_refused():
    assessment = visit()["assessment"]
    del assessment["education"]
    assert "education" in errors(visit(assessment=assessment))["assessment"]


# --- the envelope of the request -------------------------------------------------------------

def test_an_unknown_meeting_kind_is_refused():
    assert "meeting_kind" in errors(visit(meeting_kind="festive"))


def test_unknown_extra_fields_are_refused():
    assert "visit_id" in errors(visit(visit_id="chosen-by-client"))


def test_unknown_fields_inside_attendance_are_refused():
    assert "attendance" in errors(visit(attendance={"present": 1, "expected": 2, "guests": 3}))


def test_cadre_id_is_refused_the_visit_is_the_signed_in_cadres():
    assert errors(visit(cadre_id="someone-else")) == {"cadre_id": ["Unknown field."]}


@pytest.mark.parametrize("missing", ["submission_id", "unit_id", "meeting_date",
                                     "attendance", "assessment"])
def test_a_missing_required_field_is_refused(missing):
    body = visit()
    del body[missing]
    assert missing in errors(body)


def test_a_submission_id_that_is_not_an_id_is_refused():
    assert "submission_id" in errors(visit(submission_id="Has Spaces"))
