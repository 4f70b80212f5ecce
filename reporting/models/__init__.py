from .archive import *  # noqa: F401,F403  (instrument archive, DOMAIN M1)
from .archive import __all__ as _archive
from .plans import *  # noqa: F401,F403  (annual plans, DOMAIN P1)
from .plans import __all__ as _plans
from .quality import *  # noqa: F401,F403  (data-quality flags, DOMAIN Q1–Q4)
from .quality import __all__ as _quality
from .reports import *  # noqa: F401,F403  (monthly/quarterly reports, reminders, DOMAIN M2–M8)
from .reports import __all__ as _reports

__all__ = [*_archive, *_plans, *_quality, *_reports]
