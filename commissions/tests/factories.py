from ledger.choices import AccountKind
from ledger.services import ledger_account, ledger_post


def credit_withdrawable(reseller_id: int, amount: int, key: str) -> None:
    """Give a reseller withdrawable money the way settlement does (a ledger
    posting), for tests of what comes after."""
    ledger_post(
        idempotency_key=f"test-credit:{key}",
        description="test: settled commission",
        debits=[(ledger_account(kind=AccountKind.PLATFORM_COMMISSION_EXPENSE), amount)],
        credits=[(ledger_account(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=reseller_id), amount)],
    )


def balances(reseller_id: int) -> dict[str, int]:
    return {
        "withdrawable": ledger_account(kind=AccountKind.RESELLER_WITHDRAWABLE, owner_id=reseller_id).balance_amount,
        "pending": ledger_account(kind=AccountKind.RESELLER_WITHDRAWAL_PENDING, owner_id=reseller_id).balance_amount,
    }
