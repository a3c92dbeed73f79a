"""Validators behind the pattern labels: Luhn, SSA rules, ipaddress, phone numbering plans."""

from __future__ import annotations

import pytest

from pledge.pii.cards import is_card_number
from pledge.pii.ip import is_ip_address
from pledge.pii.phones import is_phone_number
from pledge.pii.ssn import is_valid_ssn


@pytest.mark.parametrize("digits", ["4111111111111111", "378282246310005", "6011111111111117"])
def test_luhn_valid_cards(digits: str) -> None:
    assert is_card_number(digits)


@pytest.mark.parametrize(
    "digits", ["4111111111111112", "1111111111111111", "411111111111", "94001234567890123456"]
)
def test_invalid_cards(digits: str) -> None:
    assert not is_card_number(digits)


@pytest.mark.parametrize("digits", ["123456789", "078051121", "665123456"])
def test_valid_ssns(digits: str) -> None:
    assert is_valid_ssn(digits)


@pytest.mark.parametrize(
    "digits", ["000123456", "666123456", "900123456", "123001234", "123450000", "12345678"]
)
def test_invalid_ssns(digits: str) -> None:
    assert not is_valid_ssn(digits)


@pytest.mark.parametrize("value", ["8.8.8.8", "192.168.0.1", "2001:db8::1", "::1", "fe80::1"])
def test_ip_valid(value: str) -> None:
    assert is_ip_address(value)


@pytest.mark.parametrize("value", ["256.1.1.1", "1.2.3", "10:30", "2001:db8:::1"])
def test_ip_invalid(value: str) -> None:
    assert not is_ip_address(value)


@pytest.mark.parametrize(
    ("digits", "international"),
    [
        ("2125550147", False),  # US national
        ("12125550147", False),  # US with trunk 1
        ("6135737515", False),  # Canada
        ("02079460958", False),  # UK national
        ("447911123456", True),  # +44 mobile
        ("4930901820", True),  # +49 Berlin
        ("00447911123456", False),  # 00 international prefix
    ],
)
def test_phone_numbers(digits: str, international: bool) -> None:
    assert is_phone_number(digits, international=international)


@pytest.mark.parametrize("digits", ["1234567890", "0000000000", "5551234", "20250514"])
def test_not_phone_numbers(digits: str) -> None:
    assert not is_phone_number(digits)
