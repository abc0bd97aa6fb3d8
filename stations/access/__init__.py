"""THE one place that turns a user into what they may see and do: cases (cases.py) and the station's other
services (features.py: bundle cases, key projects, appeals, meetings, takeout orders). Every query for them starts
from a scope here; import from ``stations.access``, not from its modules.

Staff see their station's cases; a dedicated clerk the cases of the enterprises that have chosen it (wherever
received); an enterprise user only its own; the central office and the administrator all of them (the central
office read-only).
"""

from __future__ import annotations

from .cases import (
    APPLICANT_ROLES,
    PERSON_INTAKE_ROLES,
    RECEIPT_ROLES,
    RELAY_ROLES,
    VERIFIED_TRUST,
    actor_for,
    case_scope,
    cases_visible_to,
    clients_scope,
    current_clients_of,
    department_queue_scope,
    intake_station,
    may_consent_extension,
    may_relay_supplement,
    may_see,
    may_see_query_code,
)
from .features import (
    BUNDLE_APPLY_ROLES,
    MEETING_ACTORS,
    PROJECT_ROLES,
    appeal_actor,
    appeal_scope,
    bundle_case_scope,
    may_apply_for_bundle,
    may_maintain_bundles,
    may_maintain_officials,
    may_request_meeting_for,
    may_run_session,
    may_see_appeal,
    may_see_bundle_case,
    may_use_project_board,
    meeting_actor,
    meeting_scope,
    project_actions_for,
    project_scope,
    service_log_scope,
    takeout_actor,
    takeout_scope,
)

__all__ = [
    "APPLICANT_ROLES",
    "BUNDLE_APPLY_ROLES",
    "MEETING_ACTORS",
    "PERSON_INTAKE_ROLES",
    "PROJECT_ROLES",
    "RECEIPT_ROLES",
    "RELAY_ROLES",
    "VERIFIED_TRUST",
    "actor_for",
    "appeal_actor",
    "appeal_scope",
    "bundle_case_scope",
    "case_scope",
    "cases_visible_to",
    "clients_scope",
    "current_clients_of",
    "department_queue_scope",
    "intake_station",
    "may_apply_for_bundle",
    "may_consent_extension",
    "may_maintain_bundles",
    "may_maintain_officials",
    "may_relay_supplement",
    "may_request_meeting_for",
    "may_run_session",
    "may_see",
    "may_see_appeal",
    "may_see_bundle_case",
    "may_see_query_code",
    "may_use_project_board",
    "meeting_actor",
    "meeting_scope",
    "project_actions_for",
    "project_scope",
    "service_log_scope",
    "takeout_actor",
    "takeout_scope",
]
