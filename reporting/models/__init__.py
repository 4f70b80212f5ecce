from .archive import *  # noqa: F401,F403  (instrument archive, DOMAIN M1)
from .archive import __all__ as _archive
from .plans import *  # noqa: F401,F403  (annual plans, DOMAIN P1)
from .plans import __all__ as _plans
from .reports import *  # noqa: F401,F403  (monthly/quarterly reports, reminders, DOMAIN M2–M8)
from .reports import __all__ as _reports

__all__ = [*_archive, *_plans, *_reports]
