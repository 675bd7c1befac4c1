"""The buyer's money in the books: what arrived through the payment provider
and what went back. Posted in the payment's or the refund's own transaction
(docs/ledger.md), so the ledger's cash never waits for a worker.

| event | debit | credit | key |
| --- | --- | --- | --- |
| order paid | payment clearing | revenue | ``order-paid:<order>`` |
| refund paid back | refunds | payment clearing | ``order-refund:<refund>`` |
"""

from ledger.choices import AccountKind
from ledger.services import ledger_accounts, ledger_post


def order_paid_post(*, order_id: int, amount: int) -> bool:
    """The buyer paid ``amount`` fen for the order (once per order)."""
    if amount <= 0:
        return False
    accounts = _platform(AccountKind.PLATFORM_PAYMENT_CLEARING, AccountKind.PLATFORM_REVENUE)
    return ledger_post(
        idempotency_key=f"order-paid:{order_id}",
        description=f"order {order_id} paid",
        debits=[(accounts[AccountKind.PLATFORM_PAYMENT_CLEARING], amount)],
        credits=[(accounts[AccountKind.PLATFORM_REVENUE], amount)],
    )


def refund_paid_post(*, refund_id: int, order_id: int, amount: int) -> bool:
    """The provider sent ``amount`` fen back to the buyer (once per refund)."""
    if amount <= 0:
        return False
    accounts = _platform(AccountKind.PLATFORM_REFUNDS, AccountKind.PLATFORM_PAYMENT_CLEARING)
    return ledger_post(
        idempotency_key=f"order-refund:{refund_id}",
        description=f"refund {refund_id} of order {order_id}",
        debits=[(accounts[AccountKind.PLATFORM_REFUNDS], amount)],
        credits=[(accounts[AccountKind.PLATFORM_PAYMENT_CLEARING], amount)],
    )


def _platform(*kinds: str) -> dict:
    """The platform's accounts of ``kinds`` in one query."""
    return {kind: account for (kind, _owner), account in ledger_accounts(keys=[(kind, None) for kind in kinds]).items()}
