"""Accounts: users, their password hashes, their role bound to one scope, and token revocation."""
