"""BingX business error codes the fake answers with, and the exception that carries them.

Codes and messages are BingX's own (swap V2 "Common Error Codes" and the per-endpoint error tables of
https://bingx-api.github.io/docs/#/en-us/swapV2/trade-api.html). Where BingX documents no code for a
situation the fake must still refuse, the choice is marked "not documented" here and in the README.
"""

from __future__ import annotations


class BingXError(Exception):
    """A refusal answered as BingX does: HTTP 200, ``{"code": <code>, "msg": <msg>, "data": {}}``."""

    def __init__(self, code: int, msg: str, http_status: int = 200):
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.http_status = http_status


# authentication (ccxt: 100001/100412/100413 -> AuthenticationError, 100421 -> BadSymbol (!))
SIGNATURE_MISMATCH = (100001, "Signature verification failed")
NULL_SIGNATURE = (100412, "Null signature")
INCORRECT_API_KEY = (100413, "Incorrect apiKey")
NULL_API_KEY = (100413, "Null apiKey")
TIMESTAMP_MISMATCH = (
    100421,
    "Null timestamp or timestamp mismatch, try to run our sample code from the link "
    "https://bingx-api.github.io/docs/#/en-us/spot/account-api.html#Query%20Assets",
)
IP_NOT_WHITELISTED = (
    100419,
    "IP does not match IP whitelist , please go to https://bingx.com/en/account/api/ to verify the ip you have set",
)
PERMISSION_DENIED = (100004, "Permission denied as the API key was created without the permission")

# parameters
INVALID_PARAMETERS = 109400  # "Invalid parameters, err: ..." (ccxt: BadRequest)
HEDGE_MODE_POSITION_SIDE = (109400, "In the Hedge mode, the 'PositionSide' field can only be set to LONG or SHORT.")
ONE_WAY_POSITION_SIDE = (109400, "In the One-way mode, the 'PositionSide' field can only be set to BOTH.")
PARAM_INVALID = 80014  # "Invalid parameters, ..." (ccxt: BadRequest)
SYMBOL_NOT_EXIST = 109400  # "CATI-USDT,symbol not exist, please verify it in api: ..." (ccxt: BadRequest)
TIMESTAMP_INVALID = (80014, "timestamp is invalid")

# orders
ORDER_NOT_EXIST = (80016, "order not exist")  # query; ccxt: OrderNotFound
CANCEL_NOT_EXIST = (109414, "order not exist")  # cancel; ccxt: ExchangeError (not OrderNotFound)
CANCEL_NOT_OPEN = (80018, "order is already filled, The order doesn't exist")  # cancel; ccxt: ExchangeError
DUPLICATE_CLIENT_ORDER_ID = (101481, "clientOrderID cannot be repeated")  # ccxt: DuplicateOrderId
INSUFFICIENT_MARGIN = (101204, "Insufficient margin")  # ccxt: InsufficientFunds
NO_POSITION_TO_CLOSE = (101205, "No position to close")  # ccxt: InvalidOrder
ORDER_SIZE_ERROR = (101400, "Order size error")  # ccxt: InvalidOrder
REDUCE_ONLY_OPENS = (
    101290,
    "The Reduce Only order can only decrease the position and not be used to open a position. "
    "Please check your positions and open orders.",
)
HAS_POSITIONS_OR_ORDERS = (109400, "the account has positions or pending orders")  # ccxt: BadRequest
PENDING_ORDERS_ON_PAIR = (
    101212,
    "Failed. Please check if you have pending orders under the trading pair. If yes, please cancel them and try again",
)
SL_ABOVE_PRICE = (110411, "Stop Loss price should be lower than the current price")
SL_BELOW_PRICE = (110412, "Stop Loss price should be greater than the current price")
TP_BELOW_PRICE = (110413, "Take Profit price should be greater than the current price")
# not documented: the mirror of 110413 for a short position's take profit
TP_ABOVE_PRICE = (110414, "Take Profit price should be lower than the current price")

# service (not documented as a maintenance code; "Server busy" in BingX's spot error list)
MAINTENANCE = (100503, "Server busy, the system is under maintenance, please try again later")
