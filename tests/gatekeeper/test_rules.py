"""The pure decision: referral and deposits in, FULL or LIMITED with plain-words reasons out."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from gatekeeper import rules
from gatekeeper.rules import CountedDeposit, Evidence, decide

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
START, END = rules.window(NOW, 5)


def usd(amount: str, *, days_ago: float = 1, source: str = "stablecoin") -> CountedDeposit:
    value = Decimal(amount)
    return CountedDeposit("USDT", value, value, NOW - timedelta(days=days_ago), source)


def evidence(*deposits, invited=True, direct=True) -> Evidence:
    return Evidence(invited, direct, tuple(deposits), START, END)


def full(ev: Evidence, **kw) -> rules.Decision:
    return decide(
        ev,
        policy=kw.get("policy", rules.ROLLING),
        min_deposit_usd=Decimal("200"),
        qualified_before=kw.get("qualified_before", False),
    )


def test_threshold_is_inclusive_to_the_cent():
    assert full(evidence(usd("200.00"))).level == rules.FULL
    short = full(evidence(usd("199.99")))
    assert short.level == rules.LIMITED and short.code == "deposit_short"
    assert short.shortfall_usd == Decimal("0.01")


def test_shortfall_sentence_names_amounts_dates_and_deadline():
    decision = full(evidence(usd("120", days_ago=2)))
    assert decision.reasons == (
        "You deposited $120.00 of $200.00 since 2026-11-16 12:00 UTC; deposit $80.00 more before 2026-11-24 12:00 UTC.",
    )
    assert decision.deposit_deadline == NOW + timedelta(days=3)


def test_no_deposit_at_all_has_no_deadline():
    decision = full(evidence())
    assert decision.reasons[0].endswith("deposit $200.00 more.")


def test_window_edges_count_inside_and_not_outside():
    assert full(evidence(usd("200", days_ago=5))).level == rules.FULL  # exactly at the start
    assert full(evidence(usd("200", days_ago=5.0001))).level == rules.LIMITED


def test_unpriced_deposits_do_not_count():
    unpriced = CountedDeposit("XYZ", Decimal("1000"), None, NOW - timedelta(days=1), "unpriced")
    assert full(evidence(unpriced)).level == rules.LIMITED


def test_referral_is_needed_and_must_be_direct():
    assert full(evidence(usd("500"), invited=False)).code == "not_referred"
    indirect = full(evidence(usd("500"), direct=False))
    assert indirect.level == rules.LIMITED and "another person's link" in indirect.reasons[0]


def test_qualify_once_keeps_full_without_new_deposits_but_not_without_the_referral():
    assert full(evidence(), policy=rules.QUALIFY_ONCE, qualified_before=True).level == rules.FULL
    assert full(evidence(), policy=rules.ROLLING, qualified_before=True).level == rules.LIMITED
    assert full(evidence(direct=False), policy=rules.QUALIFY_ONCE, qualified_before=True).level == rules.LIMITED
