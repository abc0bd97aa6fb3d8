"""Dedicated clerks (办事专员): the enterprise's choice of one person, and its history."""
