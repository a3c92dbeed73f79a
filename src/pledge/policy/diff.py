"""What changed between two policy versions, in the policy's own terms.

Why on the stored JSON (:func:`pledge.policy.policy_to_json`) and not on
:class:`Policy` objects: every past version is kept as that JSON
(``policy_versions.content``), so any two versions can be compared long after
the YAML they came from is gone.

A change is *material* -- every person with a live e-mail address is told by
mail -- when the policy adds a purpose or a recipient, or keeps a category
longer (a longer duration, or a duration dropped for a rule alone). Every other
change is announced on the public pages only.
"""

from __future__ import annotations

import json
from typing import Any

from pledge.policy.durations import parse_iso_duration

SECTIONS = ("categories", "purposes", "recipients")


def compare_policies(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The semantic diff: per section ``added``/``removed``/``changed`` ids, retention, rights,
    cookies, and whether the change is material (with its reasons)."""
    diff: dict[str, Any] = {name: _by_id(old.get(name, []), new.get(name, [])) for name in SECTIONS}
    diff["retention"] = _retention(old.get("categories", []), new.get("categories", []))
    diff["rights"] = _rights(old.get("rights", {}), new.get("rights", {}))
    diff["cookies"] = _canonical(old.get("cookies", [])) != _canonical(new.get("cookies", []))
    reasons = [f"purpose added: {p}" for p in diff["purposes"]["added"]]
    reasons += [f"recipient added: {r}" for r in diff["recipients"]["added"]]
    reasons += [f"kept longer: {c}" for c in diff["retention"]["longer"]]
    diff["material"] = bool(reasons)
    diff["reasons"] = reasons
    return diff


def has_changes(diff: dict[str, Any]) -> bool:
    """True when the diff names anything at all."""
    listed = [diff[name][key] for name in (*SECTIONS, "rights") for key in diff[name]]
    return any(listed) or any(diff["retention"].values()) or bool(diff["cookies"])


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _by_id(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, list[str]]:
    before = {item["id"]: _canonical(item) for item in old}
    after = {item["id"]: _canonical(item) for item in new}
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": sorted(i for i in before.keys() & after.keys() if before[i] != after[i]),
    }


def _retention(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, list[str]]:
    before = {item["id"]: item.get("retention") or {} for item in old}
    after = {item["id"]: item.get("retention") or {} for item in new}
    out: dict[str, list[str]] = {"longer": [], "shorter": [], "changed": []}
    for category in sorted(before.keys() & after.keys()):
        was, now = before[category], after[category]
        if was == now:
            continue
        days_was, days_now = _days(was.get("duration")), _days(now.get("duration"))
        if days_was is not None and (days_now is None or days_now > days_was):
            out["longer"].append(category)  # longer, or no longer bounded by a duration
        elif days_was is not None and days_now is not None and days_now < days_was:
            out["shorter"].append(category)
        else:
            out["changed"].append(category)
    return out


def _days(duration: str | None) -> float | None:
    if not duration:
        return None
    return parse_iso_duration(duration).approximate().total_seconds() / 86_400


def _rights(
    old: dict[str, list[dict[str, Any]]], new: dict[str, list[dict[str, Any]]]
) -> dict[str, list[str]]:
    """Rights as ``jurisdiction:type``, so a right added in one jurisdiction is named there."""

    def flat(rights: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
        return [
            {**right, "id": f"{jurisdiction}:{right['type']}"}
            for jurisdiction, listed in rights.items()
            for right in listed
        ]

    return _by_id(flat(old), flat(new))


__all__ = ["compare_policies", "has_changes"]
