"""Accounts, roles, login and sessions."""
