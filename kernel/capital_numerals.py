"""CNY amounts in Chinese capital numerals (大写金额), as contracts, cheques and
invoices write them beside the figures, through cn2an (MIT, "rmb" mode).

The form follows the People's Bank of China's rules for writing amounts on
payment documents (《正确填写票据和结算凭证的基本规定》):
- the capitals 壹贰叁肆伍陆柒捌玖拾佰仟万亿, with 元 for yuan, 角 and 分 for
  tenths and hundredths;
- 整 after an amount that ends at the yuan;
- one 零 for zeros inside the amount, which the rules allow to be left out
  where 万 or 元 stands on a zero (cn2an does: 107000.53 → 壹拾万柒仟元伍角叁分);
- 壹 written before 拾.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import cn2an

from kernel.money import CENT


def amount_in_capitals(amount: Decimal) -> str:
    """`amount` (CNY, rounded half up to the fen) in capital numerals, prefixed 人民币:
    ``Decimal("800000")`` → ``"人民币捌拾万元整"``, ``Decimal("1234.5")`` →
    ``"人民币壹仟贰佰叁拾肆元伍角"``. Raises ValueError for a negative or non-finite amount
    (a contract's amounts are never negative)."""
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"not an amount of money: {amount}")
    fixed = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return "人民币" + str(cn2an.an2cn(f"{fixed:.2f}", "rmb"))
