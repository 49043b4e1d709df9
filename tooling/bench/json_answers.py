"""Same-run before/after of the gateway's JSON answers (``services.gateway.edge.http``): the
base's encoding (``indent=2`` for every client: Python's pure-Python encoder) against this
branch's for a program (compact: the C encoder), alternately in one process, on a 20-case inbox
answer shaped like the escalations service's (no assertions: it prints figures).

    .venv/bin/python -m tooling.bench.json_answers [--pairs 5] [--answers 2000]
"""
import argparse
import json
import sys
from functools import partial

from werkzeug.wrappers import Response

from services.gateway.edge.http import json_response
from tooling.bench.pairs import compare


def _inbox(cases=20):
    case = {"case_id": "0f8e2c1a9b7d4e6f8a1b2c3d4e5f6a7b", "concern_id": "c-0001",
            "authority_id": "ubnd-xa-tam-hop", "state": "routed", "topic": "infrastructure",
            "summary": "Đường thôn Tân Hiệp xuống cấp, mùa mưa ngập sâu, đề nghị sửa chữa",
            "unit_id": "vp.bx.th.np", "routed_at": "2026-12-07T08:00:00.000000+00:00",
            "acknowledge_by": "2026-12-09T08:00:00+00:00", "answer_by": "2027-01-06",
            "receipt_code": "TH-7K2Q-9M", "tier": "commune", "escalations": 0,
            "assignee_user_id": None, "confidential": False, "late": False,
            "history": [{"event": "case_routed", "at": "2026-12-07T08:00:00+00:00"}]}
    return {"cases": [dict(case, concern_id=f"c-{i:04d}") for i in range(cases)],
            "counts": {"routed": cases, "acknowledged": 0, "answered": 0},
            "next_cursor": "eyJyb3V0ZWRfYXQiOiAiMjAyNi0xMi0wNyJ9"}


def _base(payload):
    return Response(json.dumps(payload, ensure_ascii=False, indent=2) + "\n",
                    mimetype="application/json").get_data()


def _branch(payload):
    return json_response(payload).get_data()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--answers", type=int, default=2000)
    args = parser.parse_args()
    payload = _inbox()
    line = compare({"base": partial(_base, payload), "branch": partial(_branch, payload)},
                   args.pairs, args.answers)
    print(f"20-case inbox answer (a program's): {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
