"""Escalations: authorities, routing rules and the cases that carry each concern to its answer."""
