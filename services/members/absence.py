"""The Party Charter's absence rule (deploy/members_policy.yml): a member who missed branch
meetings without a valid reason in ``months`` different months of one window is flagged for the
branch committee to consider, with the meetings listed. The rule only flags; whether a reason
was valid, and what follows, is the committee's.

Example::

    flags(policy, [{"member_code": "00123", "meeting_date": "2026-01-05", "mark": "absent",
                    "submission_id": "s1"}, ...], 2026)
    # [{"member_code": "00123", "months": 3, "meetings": [...]}]
"""
import pathlib
from collections import defaultdict
from dataclasses import dataclass

import yaml

WINDOWS = ("calendar_year",)
POLICY_FILE = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "members_policy.yml"


@dataclass(frozen=True)
class AbsencePolicy:
    months: int       # months with a meeting missed without reason that flag a member
    window: str       # what "trong năm" is read as
    clause: str       # the Charter's words, quoted
    guidance: str     # the implementing guidance, quoted

    @classmethod
    def from_data(cls, data):
        """The policy of the file's ``absence`` section; a wrong one refuses to load."""
        months, window = data.get("months"), data.get("window")
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 12:
            raise ValueError(f"absence.months must be a whole number of months 1-12, "
                             f"not {months!r}")
        if window not in WINDOWS:
            raise ValueError(f"absence.window must be one of {WINDOWS}, not {window!r}")
        if not data.get("clause") or not data.get("guidance"):
            raise ValueError("absence.clause and absence.guidance quote the texts the rule "
                             "stands on: both are required")
        return cls(months, window, data["clause"], data["guidance"])


def flags(policy, marks, year):
    """The members to consider in ``year``: each with the months counted and the meetings
    missed without reason (``marks``: each member's mark at each meeting, days as ISO), those
    with most months first."""
    missed = defaultdict(list)
    for mark in marks:
        if mark["mark"] == "absent" and mark["meeting_date"][:4] == str(year):
            missed[mark["member_code"]].append(mark)
    flagged = []
    for code, meetings in missed.items():
        months = {meeting["meeting_date"][:7] for meeting in meetings}
        if len(months) >= policy.months:
            flagged.append({"member_code": code, "months": len(months),
                            "meetings": sorted(({"meeting_date": m["meeting_date"],
                                                 "submission_id": m["submission_id"]}
                                                for m in meetings),
                                               key=lambda m: m["meeting_date"])})
    return sorted(flagged, key=lambda flag: (-flag["months"], flag["member_code"]))


def load(path=POLICY_FILE):
    """The policy of ``path`` (deploy/members_policy.yml)."""
    with open(path, encoding="utf-8") as handle:
        return AbsencePolicy.from_data((yaml.safe_load(handle) or {}).get("absence") or {})
