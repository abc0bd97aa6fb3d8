"""The working-day calendar table, seeded from chinesecalendar and editable by administrators."""
