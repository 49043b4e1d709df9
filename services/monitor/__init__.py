"""Monitor: the audit trail of every event, and what operators see of queues and dead letters."""
