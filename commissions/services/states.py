"""The state machines of this app's rows, declared over the tables in
``commissions.choices`` for the transition kernel (``socialshop/states.py``).
The writers (``engine`` for commissions, ``withdrawals`` for withdrawals and
payouts) move states only through the kernel with these machines."""

from socialshop.states import StateMachine

from ..choices import (
    COMMISSION_TRANSITIONS,
    PAYOUT_BATCH_TRANSITIONS,
    PAYOUT_ITEM_TRANSITIONS,
    WITHDRAWAL_TRANSITIONS,
)
from ..exceptions import InvalidTransition

WITHDRAWAL_MACHINE = StateMachine(transitions=WITHDRAWAL_TRANSITIONS, error=InvalidTransition)
PAYOUT_BATCH_MACHINE = StateMachine(transitions=PAYOUT_BATCH_TRANSITIONS, error=InvalidTransition)
PAYOUT_ITEM_MACHINE = StateMachine(transitions=PAYOUT_ITEM_TRANSITIONS, field="outcome", error=InvalidTransition)
COMMISSION_MACHINE = StateMachine(transitions=COMMISSION_TRANSITIONS, field="state", error=InvalidTransition)
