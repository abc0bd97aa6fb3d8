"""Open311 GeoReport v2 under /open311/v2 (issue 7), and the API keys its clients use. See docs/open311.md."""
