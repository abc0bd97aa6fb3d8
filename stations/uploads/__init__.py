"""Stored files: checked by content, kept under random names outside static/."""
