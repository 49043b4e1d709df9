"""The load a fault run drives over HTTP, recording exactly what the system accepted.

- :class:`Cadre`: the demo cadre logs visits of 1 to 3 concerns at Nội Phật, at a steady rate.
  Like a phone in a meeting hall, a submission whose answer is lost (no answer, 5xx) is sent
  again with the same ``submission_id`` until the system answers 201 or 200 ("logged before"),
  so every visit is eventually accepted once and its concern ids are known.
- :class:`Officers`: the officers of the commune and district People's Committees acknowledge
  and answer cases from their inboxes. An action answered 200 is *accepted*; one with no
  answer or a 5xx is *uncertain* (it may still be applied when the service comes back), and
  is not retried; a 409 (someone acted first, or the state moved on) changed nothing.

Everything is seeded: the same seed gives the same visits, topics and choices of case.

Example::

    cadre = Cadre(system, random.Random(7), rate=2.0)
    cadre.run_until(stop_event)
    cadre.settle(deadline)        # resend what has not been answered yet
    cadre.concerns                # {concern_id: topic}
"""
import collections
import datetime as dt
import threading
import time
import uuid
from logging import getLogger

import requests

from shared import clock

_log = getLogger(__name__)

UNIT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
# topics whose demo routing rules reach an authority with a signed-in officer
TOPICS = ("infrastructure", "environment", "public_order", "land")
OFFICERS = {"ubnd-xa-tam-hop": "tamhop-officer", "ubnd-huyen-binh-xuyen": "binhxuyen-officer"}
REQUEST_TIMEOUT = 10


def visit_body(rng, number):
    count = rng.randint(1, 3)
    return {
        "submission_id": uuid.UUID(int=rng.getrandbits(128)).hex,
        "unit_id": UNIT,
        "meeting_date": (clock.today() - dt.timedelta(days=1)).isoformat(),
        "meeting_kind": "regular",
        "attendance": {"present": 20 + rng.randint(0, 10), "expected": 31},
        "assessment": {"leadership": rng.randint(1, 5), "education": rng.randint(1, 5),
                       "combativeness": rng.randint(1, 5)},
        "concerns": [{"topic": rng.choice(TOPICS), "raised_by": rng.choice(
            ["resident", "party_member"]),
            "summary": f"Ý kiến {number}.{i}: đường liên thôn xuống cấp"} for i in range(count)],
    }


class Cadre:
    def __init__(self, system, rng, rate):
        self.system, self.rng, self.rate = system, rng, rate
        self.headers = system.sign_in("binh")
        self.pending = collections.deque()   # bodies sent without an answer yet
        self.accepted = {}                    # submission_id: visit_id
        self.concerns = {}                    # concern_id: topic
        self.refused = []                     # (status, body text): a 4xx is a bug here
        self.sent = 0
        self.resent = 0

    def _post(self, body):
        """True once the submission is accepted (or refused for good)."""
        try:
            response = requests.post(f"{self.system.base_url}/visits", json=body,
                                     headers=self.headers, timeout=REQUEST_TIMEOUT)
        except requests.RequestException:
            return False
        if response.status_code == 401:
            self.headers = self.system.sign_in("binh")
            return False
        if response.status_code in (200, 201):
            answer = response.json()
            self.accepted[body["submission_id"]] = answer["visit_id"]
            for concern in answer["concerns"]:
                self.concerns[concern["concern_id"]] = concern["topic"]
            return True
        if response.status_code >= 500 or response.status_code == 429:
            return False
        self.refused.append((response.status_code, response.text[:300]))
        return True

    def run_until(self, stop):
        number = 0
        next_at = time.monotonic()
        while not stop.is_set():
            if self.pending and self._post(self.pending[0]):
                self.pending.popleft()
                self.resent += 1
            number += 1
            body = visit_body(self.rng, number)
            self.sent += 1
            if not self._post(body):
                self.pending.append(body)
            next_at += 1 / self.rate
            stop.wait(max(0.0, next_at - time.monotonic()))

    @classmethod
    def merged(cls, phones):
        """One cadre's record of what several phones had accepted."""
        whole = cls.__new__(cls)
        whole.accepted, whole.concerns, whole.refused = {}, {}, []
        whole.pending = collections.deque()
        for phone in phones:
            whole.accepted.update(phone.accepted)
            whole.concerns.update(phone.concerns)
            whole.refused.extend(phone.refused)
            whole.pending.extend(phone.pending)
        whole.sent = sum(phone.sent for phone in phones)
        return whole

    def settle(self, deadline):
        """Resend every unanswered submission until accepted, or ``deadline`` passes."""
        while self.pending and time.monotonic() < deadline:
            if self._post(self.pending[0]):
                self.pending.popleft()
                self.resent += 1
            else:
                time.sleep(1)
        return not self.pending


class Officers:
    def __init__(self, system, rng, rate):
        self.system, self.rng, self.rate = system, rng, rate
        self.headers = {authority: system.sign_in(user) for authority, user in OFFICERS.items()}
        self.accepted = collections.Counter()    # (case_id, action, user): answered 200
        self.uncertain = collections.Counter()   # no answer or 5xx: may or may not apply
        self.conflicts = 0
        self.lock = threading.Lock()

    def _get(self, authority, status):
        try:
            response = requests.get(
                f"{self.system.base_url}/authorities/{authority}/inbox",
                params={"status": status, "limit": 20}, headers=self.headers[authority],
                timeout=REQUEST_TIMEOUT)
        except requests.RequestException:
            return []
        if response.status_code == 401:
            self.headers[authority] = self.system.sign_in(OFFICERS[authority])
        if response.status_code != 200:
            return []
        return response.json()["cases"]

    def act(self, authority, case_id, action, body):
        key = (case_id, action, OFFICERS[authority])
        try:
            response = requests.post(f"{self.system.base_url}/cases/{case_id}/{action}",
                                     json=body, headers=self.headers[authority],
                                     timeout=REQUEST_TIMEOUT)
            status = response.status_code
        except requests.RequestException:
            status = 0
        if status == 200:
            self.accepted[key] += 1
        elif status == 409:
            self.conflicts += 1
        elif status == 0 or status >= 500:
            self.uncertain[key] += 1
        elif status == 401:
            self.headers[authority] = self.system.sign_in(OFFICERS[authority])
        return status

    def run_until(self, stop):
        while not stop.is_set():
            authority = self.rng.choice(sorted(OFFICERS))
            if self.rng.random() < 0.6:
                found, action, body = self._get(authority, "routed"), "acknowledge", {}
            else:
                found, action = self._get(authority, "acknowledged"), "answer"
                body = {"answer": "Đã giao phòng Kinh tế - Hạ tầng khảo sát, sửa trong quý."}
            if found:
                case = self.rng.choice(found)
                self.act(authority, case["case_id"], action, body)
            stop.wait(1 / self.rate)

    @property
    def acted_on(self):
        return sum(self.accepted.values())
