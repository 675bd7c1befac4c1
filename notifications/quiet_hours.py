"""SMS quiet hours: no marketing-like SMS between 22:00 and 08:00 Beijing
time. Such a message is deferred to 08:00, never dropped."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
QUIET_FROM = time(22, 0)
QUIET_UNTIL = time(8, 0)


def quiet_hours_end(at: datetime) -> datetime | None:
    """When the quiet hours around ``at`` end (an aware datetime), or None
    when ``at`` is outside them."""
    local = at.astimezone(BEIJING)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=BEIJING)
