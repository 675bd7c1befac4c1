"""The withholding rule (预扣个税): one pure function, its promises held for
any amount (hypothesis), and the 劳务报酬 table's published examples."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commissions.calculations import WithholdingRule, labour_month_tax, withholding_tax

fen = st.integers(min_value=0, max_value=100_000_000_00)  # up to ¥100,000,000
rules = st.sampled_from(WithholdingRule.ALL)
rates = st.integers(min_value=0, max_value=10_000)


@given(rule=rules, rate=rates, amount=fen, before=fen, data=st.data())
def test_the_tax_is_whole_fen_between_nothing_and_the_amount_and_adds_up(rule, rate, amount, before, data):
    withheld = data.draw(st.integers(min_value=0, max_value=labour_month_tax(income_amount=before) + 1_000))

    result = withholding_tax(
        rule=rule, amount=amount, flat_rate_bps=rate, month_amount_before=before, month_tax_before=withheld
    )

    assert isinstance(result.tax_amount, int) and isinstance(result.net_amount, int)
    assert 0 <= result.tax_amount <= amount
    assert result.net_amount + result.tax_amount == amount


@given(rule=rules, rate=rates, amount=fen, more=fen, before=fen, data=st.data())
def test_a_bigger_withdrawal_never_withholds_less(rule, rate, amount, more, before, data):
    withheld = data.draw(st.integers(min_value=0, max_value=labour_month_tax(income_amount=before) + 1_000))
    terms = {"rule": rule, "flat_rate_bps": rate, "month_amount_before": before, "month_tax_before": withheld}

    bigger = withholding_tax(amount=amount + more, **terms)

    assert bigger.tax_amount >= withholding_tax(amount=amount, **terms).tax_amount


@given(amounts=st.lists(st.integers(min_value=1, max_value=3_000_000), min_size=1, max_size=8))
def test_a_month_split_into_withdrawals_withholds_what_one_withdrawal_of_the_total_would(amounts):
    month_amount, month_tax = 0, 0
    for amount in amounts:
        tax = withholding_tax(
            rule=WithholdingRule.LABOUR, amount=amount, month_amount_before=month_amount, month_tax_before=month_tax
        ).tax_amount
        month_amount, month_tax = month_amount + amount, month_tax + tax

    assert month_tax == labour_month_tax(income_amount=month_amount)


@given(income=fen)
def test_the_labour_table_is_continuous_and_rises_by_at_most_a_third(income):
    step = labour_month_tax(income_amount=income + 100) - labour_month_tax(income_amount=income)

    assert 0 <= step <= 33  # ¥1 more income is at most ¥0.32 more tax (plus a fen of rounding)


@pytest.mark.parametrize(
    "income, tax",
    [
        (80_000, 0),  # ¥800: all deducted
        (300_000, 44_000),  # ¥3,000: (3000 − 800) × 20 % = ¥440
        (400_000, 64_000),  # ¥4,000: the deductions meet, (4000 − 800) × 20 % = 4000 × 80 % × 20 % = ¥640
        (1_000_000, 160_000),  # ¥10,000: 8000 × 20 % = ¥1,600
        (2_500_000, 400_000),  # ¥25,000: taxable ¥20,000, 20 % = 30 % − 2000 = ¥4,000
        (5_000_000, 1_000_000),  # ¥50,000: taxable ¥40,000 × 30 % − 2000 = ¥10,000
        (10_000_000, 2_500_000),  # ¥100,000: taxable ¥80,000 × 40 % − 7000 = ¥25,000
        (300_001, 44_000),  # ¥3,000.01: ¥440.002, rounded down
    ],
)
def test_the_labour_table_gives_the_worked_examples(income, tax):
    assert labour_month_tax(income_amount=income) == tax


def test_a_flat_rate_rounds_down_to_the_fen():
    assert withholding_tax(rule=WithholdingRule.FLAT, amount=10_099, flat_rate_bps=2_000).tax_amount == 2_019


def test_an_unknown_rule_or_a_negative_amount_is_refused():
    with pytest.raises(ValueError):
        withholding_tax(rule="weekly", amount=100)
    with pytest.raises(ValueError):
        withholding_tax(rule=WithholdingRule.OFF, amount=-1)
