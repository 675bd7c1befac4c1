from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The double-entry ledger: accounts, transactions and their entries, in
    integer fen. Append-only, balanced at every commit (docs/ledger.md)."""

    name = "ledger"
    verbose_name = _("Ledger")
