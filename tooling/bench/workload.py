"""What the benchmark asks of the system: visits of one concern each, and inbox reads.

Every concern is about infrastructure at Nội Phật, so the demo rules route it to the commune
People's Committee, whose inbox the read load asks for. Example::

    sign_in(system)                      # once: the demo cadre's and officer's tokens
    method, path, body, headers = log_visit_request(7)
    concern_ids(answer)                  # the concern ids of a POST /visits answer
"""
import datetime as dt
import uuid

from shared import clock

# the demo users (deploy/demo_data.yml, development-only passwords): the cadre who logs the
# visits, and an officer of the authority whose inbox is read
CADRE_USER = ("binh", "binh-dev-only-2026")
OFFICER_USER = ("tamhop-officer", "tamhop-dev-only-2026")
HEADERS = {"cadre": {}, "officer": {}}
UNIT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
AUTHORITY = "ubnd-xa-tam-hop"
INBOX_PATH = f"/authorities/{AUTHORITY}/inbox?limit=20"


def visit(number):
    return {
        "submission_id": uuid.uuid4().hex,
        "unit_id": UNIT,
        "meeting_date": (clock.today() - dt.timedelta(days=1)).isoformat(),
        "meeting_kind": "regular",
        "attendance": {"present": 27, "expected": 31},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 3},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                      "summary": f"Đường liên thôn Nội Phật xuống cấp (phiếu {number})"}],
    }


def sign_in(system):
    """Sign in as the demo cadre and officer; every request after carries their tokens."""
    HEADERS["cadre"] = system.sign_in(*CADRE_USER)
    HEADERS["officer"] = system.sign_in(*OFFICER_USER)


def log_visit_request(number):
    return "POST", "/visits", visit(number), HEADERS["cadre"]


def inbox_request(number):
    return "GET", INBOX_PATH, None, HEADERS["officer"]


def concern_ids(answer):
    return [concern["concern_id"] for concern in (answer or {}).get("concerns", [])]
