"""Notifications: mail to authorities and cadres about their cases, sent once each."""
