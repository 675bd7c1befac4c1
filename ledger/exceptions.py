from django.utils.translation import gettext_lazy as _

from socialshop.errors import DomainError


class UnbalancedTransaction(DomainError):
    code = "unbalanced_transaction"
    default_message = _("A ledger transaction's debits and credits must be equal.")
