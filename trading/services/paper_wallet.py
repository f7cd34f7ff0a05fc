"""The paper wallet: created on first use with FLAXU_PAPER_INITIAL_BALANCE, settled as paper trades close,
resettable at a size the user chooses (PAPER_BALANCE_MIN to PAPER_BALANCE_MAX USDT, 2 decimals).

Its ``balance`` is the cash: the initial balance plus the net PnL of the paper trades closed since the
last reset. It is recomputed from those trades (never incremented), under the wallet's row lock, each
time a paper trade is saved CLOSED (``trading.receivers``): whichever path closed the trade (the paper
watcher, "close now", the kill switch, a reset), settling twice changes nothing and a concurrent close
is never lost.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.services.activity import activity_record
from core.errors import Refused
from trading.models import Mode, PaperWallet, Trade, TradeOrder
from trading.services.ledger import trade_record_exit

RESET = "trading_paper_wallet_reset"
PAPER_BALANCE_MIN = Decimal("100")  # USDT: the smallest paper wallet a reset starts
PAPER_BALANCE_MAX = Decimal("1000000")  # USDT: the largest
PAPER_BALANCE_PLACES = 2
_CENT = Decimal(1).scaleb(-PAPER_BALANCE_PLACES)
# The amount field of the reset form and the reset API (Django's and DRF's DecimalField take these alike).
PAPER_BALANCE_FIELD = {
    "min_value": PAPER_BALANCE_MIN,
    "max_value": PAPER_BALANCE_MAX,
    "max_digits": len(str(int(PAPER_BALANCE_MAX))) + PAPER_BALANCE_PLACES,
    "decimal_places": PAPER_BALANCE_PLACES,
}


def paper_wallet(user) -> PaperWallet:
    """The user's paper wallet, created with FLAXU_PAPER_INITIAL_BALANCE on first use."""
    return _wallet(user.pk)


def _wallet(user_id: int) -> PaperWallet:
    initial = Decimal(settings.FLAXU_PAPER_INITIAL_BALANCE)
    wallet, _ = PaperWallet.objects.get_or_create(
        user_id=user_id, defaults={"initial_balance": initial, "balance": initial}
    )
    return wallet


def _closed_since_reset(user_id: int, wallet: PaperWallet):
    closed = Trade.objects.filter(user_id=user_id, mode=Mode.PAPER, status=Trade.Status.CLOSED)
    return closed.filter(closed_at__gt=wallet.reset_at) if wallet.reset_at else closed


def paper_wallet_settle(user_id: int) -> PaperWallet:
    """Set the balance to the initial balance plus the net PnL of the paper trades closed since the reset."""
    _wallet(user_id)
    with transaction.atomic():
        wallet = PaperWallet.objects.select_for_update().get(user_id=user_id)
        realized = _closed_since_reset(user_id, wallet).aggregate(total=Sum("pnl"))["total"] or Decimal(0)
        balance = wallet.initial_balance + realized
        if balance != wallet.balance:
            wallet.balance = balance
            wallet.save(update_fields=["balance", "updated_at"])
    return wallet


def paper_trade_close(trade: Trade, reason: str, broker=None) -> Trade:
    """Close what remains of an OPEN paper trade at the market (the paper broker's fill), through the ledger."""
    from trading.services.brokers.paper import PaperBroker  # the broker reads the wallet defined here

    broker = broker or PaperBroker(trade.user)
    cid = f"paper-{trade.pk}-close"
    fill = broker.close(trade.symbol, trade.side, trade.remaining, cid)
    return trade_record_exit(
        trade,
        fill.filled,
        fill.average_price,
        fill.fee,
        reason,
        client_order_id=cid,
        exchange_order_id=fill.order_id,
        role=TradeOrder.Role.CLOSE,
    )


def paper_reset_size(user) -> Decimal:
    """The size a reset starts again at unless the user chooses another: the wallet's current initial
    balance, else (no wallet yet) FLAXU_PAPER_INITIAL_BALANCE."""
    current = PaperWallet.objects.filter(user_id=user.pk).values_list("initial_balance", flat=True).first()
    size = Decimal(settings.FLAXU_PAPER_INITIAL_BALANCE) if current is None else current
    return size.quantize(_CENT) if size == size.quantize(_CENT) else size


def paper_balance_check(amount) -> Decimal:
    """``amount`` as a paper wallet size (Decimal, 2 decimals), or Refused naming ``initial_balance``."""
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite():
        raise Refused("Enter an amount in USDT, e.g. 10000.", field="initial_balance")
    if not PAPER_BALANCE_MIN <= value <= PAPER_BALANCE_MAX:
        raise Refused(
            f"A paper wallet holds {PAPER_BALANCE_MIN:,} to {PAPER_BALANCE_MAX:,} USDT.", field="initial_balance"
        )
    if value != value.quantize(_CENT):
        raise Refused(f"At most {PAPER_BALANCE_PLACES} decimals.", field="initial_balance")
    return value.quantize(_CENT)


def paper_wallet_reset(user, *, initial_balance: Decimal | None = None, request=None) -> PaperWallet:
    """Close the user's open paper trades at the market (reason MANUAL), then start the wallet again at
    ``initial_balance`` (default: ``paper_reset_size``). An amount out of bounds is Refused and, without a
    fresh price for an open trade, nothing is reset (Unavailable): in both cases nothing changes."""
    from trading.services.brokers.paper import PaperBroker

    initial = paper_balance_check(paper_reset_size(user) if initial_balance is None else initial_balance)
    broker = PaperBroker(user)
    trades = list(Trade.objects.filter(user_id=user.pk, mode=Mode.PAPER, status=Trade.Status.OPEN))
    for trade in trades:
        broker.mark_price(trade.symbol)  # every price first: a reset is all or nothing
    for trade in trades:
        paper_trade_close(trade, Trade.CloseReason.MANUAL, broker)
    paper_wallet(user)
    with transaction.atomic():
        wallet = PaperWallet.objects.select_for_update().get(user_id=user.pk)
        before = wallet.balance
        wallet.initial_balance = initial
        wallet.balance = initial
        wallet.reset_at = timezone.now()
        wallet.save()
        activity_record(
            action=RESET,
            user=user,
            request=request,
            balance_before=str(before),
            initial_balance=str(initial),
            balance=str(initial),
            trades_closed=[t.pk for t in trades],
        )
    return wallet
