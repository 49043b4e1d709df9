"""Visits: visit logs of branch meetings and the concerns raised there."""
