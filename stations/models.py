"""Import every model module so that Alembic and create_all() see the whole schema."""

from .appeals import models as appeal_models  # noqa: F401
from .auth import models as auth_models  # noqa: F401
from .bundles import models as bundle_models  # noqa: F401
from .calendar import models as calendar_models  # noqa: F401
from .cases import models as case_models  # noqa: F401
from .catalog import models as catalog_models  # noqa: F401
from .clerks import models as clerk_models  # noqa: F401
from .crossregion import models as crossregion_models  # noqa: F401
from .dashboard import models as dashboard_models  # noqa: F401  (long exports, issue 20)
from .dashboard import rollups as dashboard_rollups  # noqa: F401  (the period figures' daily roll-ups)
from .enterprises import models as enterprise_models  # noqa: F401
from .idempotency import models as idempotency_models  # noqa: F401
from .jobs import models as job_models  # noqa: F401
from .meetings import models as meeting_models  # noqa: F401
from .meetings import policy_models as policy_session_models  # noqa: F401
from .messaging import models as messaging_models  # noqa: F401
from .notifications import models as notification_models  # noqa: F401
from .open311 import models as open311_models  # noqa: F401
from .projects import models as project_models  # noqa: F401
from .ratings import models as rating_models  # noqa: F401
from .sites import models as site_models  # noqa: F401
from .takeout import models as takeout_models  # noqa: F401
from .uploads import models as upload_models  # noqa: F401
from .web import change_stamp  # noqa: F401  (the change stamp behind reused pages, issue 21)
