"""The central office dashboard: live board, drill-down, period figures, exports (issue 6)."""
