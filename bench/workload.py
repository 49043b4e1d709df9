"""What the benchmark asks of the system: visits of one concern each, and inbox reads.

Every concern is about infrastructure at Nội Phật, so the demo rules route it to the commune
People's Committee, whose inbox the read load asks for. Example::

    method, path, body = log_visit_request(7)
    concern_ids(answer)                  # the concern ids of a POST /visits answer
"""
import datetime as dt
import uuid

CADRE = "tran-thi-binh"
UNIT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
AUTHORITY = "ubnd-xa-tam-hop"
INBOX_PATH = f"/authorities/{AUTHORITY}/inbox?limit=20"


def visit(number):
    return {
        "submission_id": uuid.uuid4().hex,
        "cadre_id": CADRE,
        "unit_id": UNIT,
        "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "meeting_kind": "regular",
        "attendance": {"present": 27, "expected": 31},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 3},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                      "summary": f"Đường liên thôn Nội Phật xuống cấp (phiếu {number})"}],
    }


def log_visit_request(number):
    return "POST", "/visits", visit(number)


def inbox_request(number):
    return "GET", INBOX_PATH, None


def concern_ids(answer):
    return [concern["concern_id"] for concern in (answer or {}).get("concerns", [])]
