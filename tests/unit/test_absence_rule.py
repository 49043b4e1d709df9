"""The Charter's absence rule (services/members/absence.py) against a hand-made year of branch
meetings, and its policy as data (deploy/members_policy.yml) with the texts it stands on."""
import pathlib

import pytest

from services.members import absence

POLICY_FILE = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "members_policy.yml"
POLICY = absence.AbsencePolicy(3, "calendar_year", "clause", "guidance")

# 2026: twelve monthly meetings and a thematic one in March
MEETINGS = [f"2026-{month:02d}-05" for month in range(1, 13)] + ["2026-03-20"]


def year_of(code, marks_by_day):
    """``code``'s mark at every meeting of 2026: present unless ``marks_by_day`` says."""
    return [{"member_code": code, "meeting_date": day, "submission_id": f"s-{day}",
             "mark": marks_by_day.get(day, "present")} for day in MEETINGS]


def test_three_months_missed_without_reason_flag_the_member_with_the_meetings_listed():
    marks = year_of("00123", {"2026-02-05": "absent", "2026-06-05": "absent",
                              "2026-11-05": "absent"})
    [flag] = absence.flags(POLICY, marks, 2026)
    assert flag["member_code"] == "00123" and flag["months"] == 3
    assert [m["meeting_date"] for m in flag["meetings"]] == ["2026-02-05", "2026-06-05",
                                                            "2026-11-05"]


def test_excused_absences_and_two_meetings_of_one_month_do_not_make_three_months():
    marks = year_of("00124", {"2026-03-05": "absent", "2026-03-20": "absent",
                              "2026-05-05": "absent_excused", "2026-07-05": "absent",
                              "2026-09-05": "absent_excused"})
    assert absence.flags(POLICY, marks, 2026) == []


def test_absences_of_another_year_do_not_count():
    marks = year_of("00125", {"2026-10-05": "absent", "2026-11-05": "absent"})
    marks.append({"member_code": "00125", "meeting_date": "2027-01-05", "submission_id": "x",
                  "mark": "absent"})
    assert absence.flags(POLICY, marks, 2026) == []
    assert absence.flags(POLICY, marks, 2027) == []


def test_those_with_most_months_come_first_and_a_stricter_policy_flags_more():
    marks = year_of("a", {d: "absent" for d in MEETINGS[:4]}) + \
        year_of("b", {d: "absent" for d in MEETINGS[:3]}) + year_of("c", {MEETINGS[0]: "absent"})
    assert [f["member_code"] for f in absence.flags(POLICY, marks, 2026)] == ["a", "b"]
    one = absence.AbsencePolicy(1, "calendar_year", "clause", "guidance")
    assert [f["member_code"] for f in absence.flags(one, marks, 2026)] == ["a", "b", "c"]


def test_the_policy_file_holds_the_count_the_window_and_the_charters_words():
    policy = absence.load(POLICY_FILE)
    assert (policy.months, policy.window) == (3, "calendar_year")
    assert "ba tháng trong năm mà không có lý do chính đáng" in " ".join(policy.clause.split())
    assert policy.guidance


@pytest.mark.parametrize("data, word", [
    ({"months": 0, "window": "calendar_year", "clause": "c", "guidance": "g"}, "months"),
    ({"months": 3, "window": "rolling", "clause": "c", "guidance": "g"}, "window"),
    ({"months": 3, "window": "calendar_year", "clause": "c"}, "guidance")])
def test_a_wrong_policy_refuses_to_load_naming_what(data, word):
    with pytest.raises(ValueError, match=word):
        absence.AbsencePolicy.from_data(data)
