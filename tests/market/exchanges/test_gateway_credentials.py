"""Key checks: FLAXU accepts only valid keys with Read + Perpetual Futures and no way to move funds."""

from __future__ import annotations

import pytest

from market import exchanges
from market.exchanges import ApiCredentials


def test_a_read_and_futures_key_is_accepted_with_its_uid(creds):
    check = exchanges.credentials_check(creds)

    assert check.accepted
    assert check.valid and check.refusal is None
    assert check.uid == "1001"
    assert check.permissions.reading and check.permissions.futures
    assert not check.permissions.withdrawals


def test_a_wrong_secret_is_invalid(account):
    wrong = ApiCredentials(api_key=account.api_key, secret="x" * 64)

    check = exchanges.credentials_check(wrong)

    assert not check.valid and not check.accepted
    assert "does not accept" in check.refusal
    with pytest.raises(exchanges.InvalidCredentials):
        exchanges.balances(wrong)


def test_an_unknown_key_is_invalid(gateway):
    unknown = ApiCredentials(api_key="k" * 64, secret="s" * 64)

    assert not exchanges.credentials_check(unknown).valid
    with pytest.raises(exchanges.InvalidCredentials):
        exchanges.positions(unknown)


def test_a_withdraw_enabled_key_is_refused_with_the_reason(gateway, creds):
    gateway.set_permissions("1001", enableWithdrawals=True)

    check = exchanges.credentials_check(creds)

    assert check.valid and not check.accepted
    assert check.permissions.withdrawals
    assert "withdrawals" in check.refusal and "never moves funds" in check.refusal


@pytest.mark.parametrize(
    ("flag", "words"),
    [("enableInternalTransfer", "internal transfers"), ("permitsUniversalTransfer", "universal transfers")],
)
def test_a_transfer_enabled_key_is_refused(gateway, creds, flag, words):
    gateway.set_permissions("1001", **{flag: True})

    check = exchanges.credentials_check(creds)

    assert not check.accepted
    assert words in check.refusal


def test_a_read_only_key_without_futures_is_refused(gateway, creds):
    gateway.set_permissions("1001", enableFutures=False)

    check = exchanges.credentials_check(creds)

    assert check.valid and not check.accepted
    assert "Perpetual Futures" in check.refusal


def test_a_key_without_read_is_refused(gateway, creds):
    gateway.set_permissions("1001", enableReading=False)

    check = exchanges.credentials_check(creds)

    assert not check.accepted
    assert check.refusal


def test_a_check_that_cannot_reach_bingx_raises_instead_of_accepting(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_RETRIES = 1
    gateway.inject("/openApi/v1/account/apiPermissions", "http_500", count=None)

    with pytest.raises(exchanges.ExchangeUnavailable):
        exchanges.credentials_check(creds)


def test_a_malformed_permissions_answer_is_not_read_as_no_permissions(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    gateway.inject("/openApi/v1/account/apiPermissions", "bad_json", count=None, body='{"code":0,"data":{}}')

    with pytest.raises(exchanges.ExchangeUnavailable):
        exchanges.credentials_check(creds)


def test_credentials_mask_the_key_and_never_show_the_secret(creds):
    api_key, secret = creds.api_key.reveal(), creds.secret.reveal()
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert api_key not in text
        assert secret not in text
        assert api_key[-4:] in text
        assert "credential 1" in text
    for text in (repr(creds.api_key), str(creds.secret), f"{creds.secret}", repr(creds.sensitive_values())):
        assert api_key not in text and secret not in text and "********" in text


PERMISSIONS = "/openApi/v1/account/apiPermissions"


@pytest.mark.parametrize(
    ("body", "accepted"),
    [
        ('{"code":0,"data":{"permissions":[2,3]}}', True),
        ('{"code":0,"data":{"permissions":[1,2,3]}}', True),  # spot trading moves no funds out
        ('{"code":0,"data":{"permissions":[2,3,6]}}', False),  # a permission FLAXU does not know
        ('{"code":0,"data":{"enableReading":true,"enableFutures":true,"enableWithdrawals":false}}', True),
        ('{"code":0,"data":{"enableReading":true,"enableFutures":true,"permissions":[5]}}', False),
    ],
)
def test_both_shapes_of_bingxs_permission_answer_are_read(gateway, creds, body, accepted):
    gateway.inject(PERMISSIONS, "bad_json", count=None, body=body)  # an answer of our choosing

    assert exchanges.credentials_check(creds).accepted is accepted


def test_an_unknown_permission_is_named_in_the_refusal(gateway, creds):
    gateway.inject(PERMISSIONS, "bad_json", count=None, body='{"code":0,"data":{"permissions":[2,3,6]}}')

    assert "number 6" in exchanges.credentials_check(creds).refusal


def test_a_key_locked_to_other_ip_addresses_is_refused_with_bingxs_reason(gateway, creds):
    gateway.set_permissions("1001", ipRestrict=True, ip_addresses=["203.0.113.9"])

    check = exchanges.credentials_check(creds)

    assert not check.accepted
    assert "IP" in check.refusal
    with pytest.raises(exchanges.PermissionRefused):
        exchanges.balances(creds)
