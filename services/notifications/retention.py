"""What the notifications service removes once its period is over (``shared.retention``): the
access log of who was shown mail recipients, and each sent mail's recipient, address, subject
and text ``RETENTION_MAIL_DAYS`` after it was stored. What was sent when, about which case, to
which recipient id, in which state, stays (the statistics and the case's history). A mail still
waiting for the mail server is never touched."""
from services.notifications import store
from shared.retention import ACCESS_LOG, Sweep

MAIL = Sweep("stored mail", "RETENTION_MAIL_DAYS", "notifications", [("created_at", 1)],
             store.forget_old_mail)

SWEEPS = [ACCESS_LOG, MAIL]
