"""The whole /api/v1/metrics/period answer conforms to docs/openapi.json (every feature's section included)."""

from __future__ import annotations

from stations.timeutil import business_today
from tests.web.test_openapi import SPEC, conforms, deref


def test_period_figures_match_the_published_schema(login_as):
    today = business_today()
    response = login_as("central").get(f"/api/v1/metrics/period?from={today.replace(month=1, day=1)}&to={today}")
    assert response.status_code == 200
    schema = deref(SPEC["paths"]["/api/v1/metrics/period"]["get"]["responses"]["200"])["content"]["application/json"]
    assert conforms(response.get_json(), deref(schema["schema"])) == []
