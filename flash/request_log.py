"""Expected refusals of 立即抢购 are not warnings.

Django logs every 4xx response as a WARNING on ``django.request``. In a
rush thousands of buyers a second are told "sold out" (409), "you already
have yours" (409) or "too fast" (429): the gate working as designed, not
something an operator should read line by line. This filter drops those
lines, and only those: the grab endpoint's 409s and 429s. Any other 4xx of
the endpoint (403, 404), and every 5xx, is still logged. How many refusals
there were is counted in the process (``refusals_counted``) for a metrics
scrape; the gate's own counters in Redis hold the sold units.
"""

import logging
from collections import Counter

GRAB_VIEW_NAMES = frozenset({"api-flash-grab", "flash:grab"})  # the API's tap; the page's form (it redirects)
EXPECTED_STATUSES = frozenset({409, 429})

refusals_counted: Counter = Counter()  # status code -> refusals not logged, in this process


class ExpectedFlashRefusals(logging.Filter):
    """A filter for the ``django.request`` logger: False (drop) for a
    refused tap, True for everything else."""

    def filter(self, record: logging.LogRecord) -> bool:
        status_code = getattr(record, "status_code", None)
        if status_code not in EXPECTED_STATUSES:
            return True
        match = getattr(getattr(record, "request", None), "resolver_match", None)
        if match is None or match.view_name not in GRAB_VIEW_NAMES:
            return True
        refusals_counted[status_code] += 1
        return False


def request_log_filter_install() -> None:
    """Called once from ``FlashConfig.ready``: idempotent."""
    logger = logging.getLogger("django.request")
    if not any(isinstance(existing, ExpectedFlashRefusals) for existing in logger.filters):
        logger.addFilter(ExpectedFlashRefusals())
