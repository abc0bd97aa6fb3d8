"""Pure business rules: no Flask, no SQLAlchemy (checked by import-linter)."""
