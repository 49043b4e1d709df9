"""The notifications service's Prometheus metrics: mail sent, failed and waiting.

The counters move where the postman learns the outcome of an SMTP conversation
(``outgoing.Postman.send``); every outcome is there from the start at 0, so a query over them
answers before the first failure. The gauge counts notifications by state from the store's
``(state, next_attempt_at)`` index at each refresh of ``shared.gauges.Gauges``. Example::

    sum(sausat_mail{state=~"pending|sending"})          # waiting for the mail server
"""
from prometheus_client import Counter

from services.notifications import store
from shared.metrics import REGISTRY

# deferred: the server away or 4xx, tried again later; rejected: 5xx; failed: unsendable as
# stored, or anything else; rejected and failed wait for an operator's retry
FAILURE_OUTCOMES = ("deferred", "rejected", "failed")
STATES = ("pending", "sending", "sent", "failed", "rejected", "no_address")

MAIL_SENT = Counter("sausat_mail_sent", "Mail the mail server accepted", registry=REGISTRY)
MAIL_FAILED = Counter("sausat_mail_failed", "SMTP attempts that did not deliver, by outcome",
                      ["outcome"], registry=REGISTRY)
for _outcome in FAILURE_OUTCOMES:
    MAIL_FAILED.labels(_outcome)

GAUGES = {"sausat_mail": ("Notifications by state (pending and sending: waiting)", "state")}


def mail_figures(db):
    return {("sausat_mail", state): count
            for state, count in store.count_by_state(db, STATES).items()}
