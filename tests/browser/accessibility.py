"""Accessibility checks run inside a Playwright page: axe-core, keyboard, labels, width.

axe-core comes from the npm registry (``package-lock.json``, installed into
``node_modules`` by ``scripts/test``). It is evaluated in the page through the
DevTools protocol rather than added as a ``<script>``, so the page keeps its
own Content-Security-Policy: a stylesheet the policy blocks is a page without
its style, and axe judges the contrast of what the person would really see.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
NARROW = 360
WIDE = 1280


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def require_axe() -> None:
    """Skip without axe-core, or fail under CI, where a missing tool must not pass silently."""
    if AXE.is_file():
        return
    message = (
        f"axe-core is not installed ({AXE} is missing): install node and npm, then run "
        "`npm ci --no-audit --no-fund` in the repository (scripts/test does it)"
    )
    if os.environ.get("PLEDGE_TEST_REQUIRE_POSTGRES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    require_axe()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in results if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per failing element: rule id, impact, CSS target and what to fix."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(
                f"{violation['id']} ({violation['impact']}) at {target}: {violation['help']}"
            )
    return "\n".join(lines)


def assert_axe_clean(page: Any, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {where}:\n{describe(violations)}"


def assert_fits(page: Any, width: int, where: str) -> None:
    """No horizontal scroll: the page is no wider than the window."""
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll <= width, f"{where} scrolls sideways at {width} px ({scroll} px wide)"


_CONTROLS = """(scope) => {
  const root = scope ? document.querySelector(scope) : document;
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
    + ' [tabindex]:not([tabindex="-1"])';
  return Array.from(root.querySelectorAll(selector))
    .filter(e => !e.disabled && e.getClientRects().length > 0
                 && getComputedStyle(e).visibility !== 'hidden')
    .map((e, i) => { e.dataset.a11yOrder = String(i); return describe(e); });
  function describe(e) {
    return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + ' "' + (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40)
      + '"';
  }
}"""

_FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {order: e.dataset ? (e.dataset.a11yOrder ?? null) : null,
          tag: e.tagName.toLowerCase(), id: e.id || '',
          visible: outline || style.boxShadow !== 'none'};
}"""


def assert_keyboard_order(page: Any, where: str, scope: str | None = None) -> int:
    """Tab from the top reaches every control, in document order, each with a visible focus.

    ``scope`` limits the walk to one part of the page (a modal dialog that
    holds the focus). Returns the number of controls walked.
    """
    expected = page.evaluate(_CONTROLS, scope)
    assert expected, f"{where}: no control to reach"
    reached = []
    for step in range(len(expected)):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        assert focused["order"] is not None, (
            f"{where}: Tab {step + 1} went to {focused['tag']}#{focused['id']}, "
            f"not a control in order; expected {expected[step]}"
        )
        shown = expected[int(focused["order"])]
        assert focused["visible"], f"{where}: {shown} has no visible focus"
        reached.append(int(focused["order"]))
    assert reached == list(range(len(expected))), (
        f"{where}: Tab order {[expected[i] for i in reached]} != {expected}"
    )
    return len(expected)


_UNLABELLED = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea'))
  .filter(e => e.labels.length === 0 && !e.getAttribute('aria-labelledby'))
  .map(e => e.tagName.toLowerCase() + '#' + (e.id || e.name))"""

_UNTIED_ERRORS = """() => {
  const problems = [];
  const described = new Set();
  document.querySelectorAll('[aria-describedby]').forEach(e =>
    e.getAttribute('aria-describedby').split(/\\s+/).forEach(id => described.add(id)));
  document.querySelectorAll('[aria-invalid=true]').forEach(e => {
    const ids = (e.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
    if (!ids.some(id => (document.getElementById(id)?.textContent || '').trim()))
      problems.push((e.id || e.name) + ' is invalid but names no message');
  });
  document.querySelectorAll('.field-error').forEach(e => {
    if (!e.id || !described.has(e.id))
      problems.push('message "' + e.textContent.trim() + '" is tied to no field');
  });
  return problems;
}"""


def assert_labels_and_errors(page: Any, where: str) -> None:
    """Every field has a label; every field error is named by its field's aria-describedby."""
    assert page.evaluate(_UNLABELLED) == [], f"{where}: fields without a label"
    assert page.evaluate(_UNTIED_ERRORS) == [], f"{where}: errors not tied to their fields"


def check_page(page: Any, where: str, *, scope: str | None = None) -> None:
    """Every check, at 1280 and at 360 px wide, on the page as it stands.

    The keyboard walk starts from the top of the page, as a person arriving by
    keyboard would (or from the ``scope`` element, focused).
    """
    for width in (WIDE, NARROW):
        page.set_viewport_size({"width": width, "height": 800})
        label = f"{where} at {width} px"
        assert_axe_clean(page, label)
        assert_fits(page, width, label)
        assert_labels_and_errors(page, label)
        page.evaluate(_START, scope)
        try:
            assert_keyboard_order(page, label, scope)
        finally:
            page.evaluate("document.getElementById('a11y-start')?.remove()")


_START = """(scope) => {
  if (scope) { document.querySelector(scope).focus(); return; }
  const start = document.createElement('span');
  start.id = 'a11y-start';
  start.tabIndex = -1;
  document.body.prepend(start);
  start.focus();
}"""
