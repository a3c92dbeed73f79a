"""The shop's connected-systems file as the tests write it, and a helper to vary it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SHOP_YAML = """\
systems:
  shop:
    kind: sqlite
    url_env: SHOP_DATABASE_URL
    collections:
      customer:
        primary_key: id
        identity: {email: email, phone: phone, shop_customer_id: id}
        fields:
          name: {category: identification}
          email: {category: identification}
          phone: {category: identification}
          street: {category: identification, erase: mask}
      orders:
        primary_key: id
        references: {customer_id: customer.id}
        fields:
          shipping_street: {category: identification}
          total: {category: client_account, field: billing_information, erase: keep,
                  reason: tax law keeps invoices ten years}
      address:
        primary_key: id
        references: {customer_id: customer.id}
        fields:
          street: {category: identification, erase: delete}
  crm:
    kind: http
    url_env: CRM_URL
    secret_env: CRM_SECRET
    recipient: hubspot
    collections:
      contacts:
        primary_key: id
        identity: {email: email, shop_customer_id: shop_id}
        fields:
          email: {category: identification}
          company: {category: identification}
"""

ENVIRON = {
    "SHOP_DATABASE_URL": "sqlite:///nowhere.db",
    "CRM_URL": "http://127.0.0.1:9",
    "CRM_SECRET": "s" * 32,
}


def shop_data() -> dict[str, Any]:
    """The file as data, to change one key in a test."""
    data: dict[str, Any] = yaml.safe_load(SHOP_YAML)
    return data


def write(path: Path, data: dict[str, Any] | str) -> Path:
    path.write_text(
        data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
    )
    return path
