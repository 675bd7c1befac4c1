"""The only writers of commissions, settlement, withdrawals and payouts,
one module per flow."""
