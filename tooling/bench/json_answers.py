"""Same-run before/after of the gateway's JSON answers (``services.gateway.edge.http``): the
base's encoding (``indent=2`` for every client: Python's pure-Python encoder) against this
branch's for a program (compact: the C encoder), alternately in one process, on a 20-case inbox
answer shaped like the escalations service's (no assertions: it prints figures).

    .venv/bin/python -m tooling.bench.json_answers [--pairs 5] [--answers 2000]
"""
import argparse
import json
import os
import statistics
import sys
import time

from werkzeug.wrappers import Response

from services.gateway.edge.http import json_response


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


def _per_answer(encode, payload, answers):
    started = time.process_time()
    for _ in range(answers):
        encode(payload)
    return (time.process_time() - started) / answers


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--answers", type=int, default=2000)
    args = parser.parse_args()
    payload, sides = _inbox(), {"base": _base, "branch": _branch}
    seen, ratios = {"base": [], "branch": []}, []
    for pair in range(args.pairs):
        order = ("base", "branch") if pair % 2 == 0 else ("branch", "base")
        spent = {side: _per_answer(sides[side], payload, args.answers) for side in order}
        for side, seconds in spent.items():
            seen[side].append(seconds)
        ratios.append(spent["branch"] / spent["base"])
    print(f"20-case inbox answer: base {statistics.median(seen['base']) * 1e6:.0f} µs, branch "
          f"{statistics.median(seen['branch']) * 1e6:.0f} µs (a program's); pairs "
          + ", ".join(f"{r:.2f}" for r in ratios))
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
