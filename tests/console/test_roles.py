"""Staff roles (issue #11, "Staff accounts"): every console route declares one permission,
and every role gets 403 exactly where the permission table says so (both databases).

The routes are read from the app itself: a new console route that declares no
permission fails :func:`test_every_staff_route_declares_one_permission`, and
the role walk covers it without being told.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.console.accounts import create_user, user_id_for
from pledge.console.permissions import (
    RECRUITING,
    ROLE_PERMISSIONS,
    ROLES,
    SECOND_FACTOR_REQUIRED,
    SELF_SERVICE,
    Permission,
)
from pledge.core import Pledge
from pledge.db.base import UTCDateTime, utcnow
from pledge.db.migrate import downgrade, upgrade
from pledge.db.models import AuditEntry, StaffUser
from pledge.recruiting.positions import open_ids
from pledge.rights.schemas import RequestIn
from pledge.rights.service import submit
from pledge.web.app import create_app
from pledge.web.deps import declared_permission, signed_in_staff
from tests.staff_accounts import PASSWORD, create_staff, csrf_of, sign_in
from tests.unit.test_docs import _all_routes

PUBLIC_CONSOLE = {("GET", "/admin/login"), ("POST", "/admin/login")}
PUBLIC_CONSOLE |= {("GET", "/admin/login/code"), ("POST", "/admin/login/code")}
"""The sign-in forms: the only console routes open without a session."""


@dataclass(frozen=True)
class StaffRoute:
    method: str
    path: str
    permissions: tuple[Permission, ...]
    staff_session: bool


def _calls(dependant: Any) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def staff_routes(app: Any) -> list[StaffRoute]:
    """Every route of the app that reads a staff session, or lies under /admin."""
    found = []
    for route in _all_routes(app.routes):
        if not isinstance(route, APIRoute):
            continue
        calls = list(_calls(route.dependant))
        staff_session = signed_in_staff in calls
        if not staff_session and not route.path.startswith("/admin"):
            continue
        declared = tuple(p for p in map(declared_permission, calls) if p is not None)
        for method in sorted(route.methods - {"HEAD"}):
            found.append(StaffRoute(method, route.path, declared, staff_session))
    return found


def test_every_staff_route_declares_one_permission(pledge: Pledge) -> None:
    routes = staff_routes(create_app(pledge))
    assert len(routes) > 20
    missing = [
        f"{r.method} {r.path}"
        for r in routes
        if (r.method, r.path) not in PUBLIC_CONSOLE and len(set(r.permissions)) != 1
    ]
    assert not missing, f"staff routes without exactly one declared permission: {missing}"
    public = [f"{r.method} {r.path}" for r in routes if (r.method, r.path) in PUBLIC_CONSOLE]
    assert len(public) == len(PUBLIC_CONSOLE)
    # Nothing outside the console reads a staff session (the API takes keys).
    assert all(r.path.startswith("/admin") for r in routes)


def test_the_table_is_as_documented() -> None:
    table = ROLE_PERMISSIONS
    assert set(ROLES) == {"admin", "privacy_officer", "support", "recruiter", "auditor"}
    assert table["admin"] == frozenset(Permission) - RECRUITING
    assert table["recruiter"] == SELF_SERVICE | RECRUITING
    # Applicants are for the recruiting team alone: not even an admin or a privacy officer.
    assert [role for role in ROLES if table[role] & RECRUITING] == ["recruiter"]
    writes = {
        Permission.REQUESTS_ENTER,
        Permission.REQUESTS_ACT,
        Permission.CORRECTIONS_APPROVE,
        Permission.CLIENTS_MANAGE,
        Permission.STAFF_MANAGE,
        Permission.HOLDS_MANAGE,
    }
    assert not table["auditor"] & writes
    assert Permission.HOLDS_READ in table["auditor"]
    assert not table["support"] & {
        Permission.STAFF_MANAGE,
        Permission.STAFF_READ,
        Permission.CLIENTS_MANAGE,
        Permission.CLIENTS_READ,
        Permission.CORRECTIONS_APPROVE,
        Permission.HOLDS_READ,
        Permission.HOLDS_MANAGE,
    }
    assert Permission.CORRECTIONS_APPROVE in table["privacy_officer"]
    assert Permission.HOLDS_MANAGE in table["privacy_officer"]


@dataclass
class World:
    browsers: dict[str, TestClient]
    csrf: dict[str, str]
    request_id: str
    target_id: str


@pytest.fixture
def world(pledge: Pledge, client: TestClient) -> Iterator[World]:
    """One signed-in browser per role, a request to look at and an account to act on."""
    body = RequestIn.model_validate({"type": "access", "email": "p@example.com", "country": "FR"})
    request_id = submit(pledge, body).id
    target = create_staff(pledge, "target@interactions.com", "support")
    browsers, csrf = {}, {}
    for role in ROLES:
        email = f"{role}@interactions.com"
        create_staff(pledge, email, role)
        browser = TestClient(client.app, raise_server_exceptions=False)
        assert sign_in(browser, email) == 303, role
        browsers[role] = browser
        csrf[role] = csrf_of(browser.get("/admin/account").text)
    try:
        yield World(browsers, csrf, request_id, target)
    finally:
        for browser in browsers.values():
            browser.close()


def _url(route: StaffRoute, world: World) -> tuple[str, dict[str, str]]:
    """A concrete URL and form for the route: harmless when the role is allowed."""
    fills = {
        "{request_id}": world.request_id,
        "{user_id}": world.target_id,
        "{client_id}": "no-such-client",
    }
    path = route.path
    for name, value in fills.items():
        path = path.replace(name, value)
    actions = {
        "/admin/requests/{request_id}/{action}": "extend",  # no reason: refused, nothing done
        "/admin/staff/{user_id}/{action}": "end-sessions",
        "/admin/clients/{client_id}/{action}": "disable",
    }
    path = path.replace("{action}", actions.get(route.path, "x"))
    return path, {"current_password": "not it"}


def test_each_role_gets_403_exactly_where_the_table_says(
    pledge: Pledge, client: TestClient, world: World
) -> None:
    routes = [
        r
        for r in staff_routes(client.app)
        if (r.method, r.path) not in PUBLIC_CONSOLE and r.path != "/admin/logout"
    ]
    wrong = []
    for role in ROLES:
        browser, allowed = world.browsers[role], ROLE_PERMISSIONS[role]
        for route in routes:
            url, form = _url(route, world)
            if route.method == "GET":
                answer = browser.get(url, follow_redirects=False)
            else:
                answer = browser.post(url, data={**form, "csrf": world.csrf[role]})
            expected_403 = route.permissions[0] not in allowed
            if (answer.status_code == 403) != expected_403 or answer.status_code >= 500:
                wrong.append((role, route.method, route.path, answer.status_code))
            # Read-only: every POST but those on the auditor's own sign-in is refused.
            if (
                role == "auditor"
                and route.method == "POST"
                and route.permissions[0] not in SELF_SERVICE
            ):
                assert answer.status_code == 403, route.path
        logout = browser.post("/admin/logout", data={"csrf": world.csrf[role]})
        assert logout.status_code in (200, 303), role
    assert not wrong, wrong


def test_a_refused_page_is_a_page_with_the_roles_navigation(world: World) -> None:
    refused = world.browsers["recruiter"].get("/admin")
    assert refused.status_code == 403
    assert "text/html" in refused.headers["content-type"]
    assert "may not use this page" in refused.text
    assert refused.headers["x-frame-options"] == "DENY"
    posted = world.browsers["auditor"].post(
        f"/admin/requests/{world.request_id}/complete", data={"csrf": world.csrf["auditor"]}
    )
    assert posted.status_code == 403
    assert posted.json()["error"]["code"] == "permission_denied"


LINKED_FROM_PAGES = {"/admin/account/second-factor", "/admin/record-of-processing.csv"}
LINKED_FROM_PAGES |= {"/admin/legal-requests.csv", "/admin/legal-requests/new"}
LINKED_FROM_PAGES |= {"/admin/breaches.csv", "/admin/transfers.csv"}
LINKED_FROM_PAGES |= {"/admin/complaints.csv"}
"""Pages reached from another page (the account page, the record), not from the navigation."""
NAV = re.compile(r'<nav aria-label="Console">(.*?)</nav>', re.S)


def test_navigation_shows_only_what_the_role_may_use(client: TestClient, world: World) -> None:
    pages = {
        r.path: r.permissions[0]
        for r in staff_routes(client.app)
        if r.method == "GET" and (r.method, r.path) not in PUBLIC_CONSOLE
    }
    for role in ROLES:
        html = world.browsers[role].get("/admin/account").text
        match = NAV.search(html)
        assert match, role
        links = set(re.findall(r'href="([^"]+)"', match.group(1)))
        allowed = ROLE_PERMISSIONS[role]
        assert all(pages[href] in allowed for href in links), (role, links)
        # ... and every page the role may open without parameters is offered.
        reachable = {
            path
            for path, permission in pages.items()
            if permission in allowed and "{" not in path and path not in LINKED_FROM_PAGES
        }
        assert links == reachable, role


def test_each_role_lands_where_it_may_go(pledge: Pledge, client: TestClient) -> None:
    landing = {
        "admin": "/admin",
        "privacy_officer": "/admin",
        "support": "/admin",
        "auditor": "/admin",
        "recruiter": "/admin/recruiting",
    }
    for role, where in landing.items():
        email = f"land-{role}@interactions.com"
        create_staff(pledge, email, role)
        with TestClient(client.app, raise_server_exceptions=False) as browser:
            form = browser.get("/admin/login")
            answer = browser.post(
                "/admin/login",
                data={"email": email, "password": "correct horse battery staple"}
                | {"csrf": csrf_of(form.text)},
                follow_redirects=False,
            )
            if role in SECOND_FACTOR_REQUIRED:  # the code step first
                assert answer.headers["location"] == "/admin/login/code"
                assert sign_in(browser, email) == 303
                assert browser.get(where).status_code == 200
                continue
            assert answer.headers["location"] == where, role
    recruiter = TestClient(client.app, raise_server_exceptions=False)
    assert sign_in(recruiter, "land-recruiter@interactions.com") == 303
    page = recruiter.get("/admin/account")
    assert page.status_code == 200
    nav = NAV.search(page.text)
    assert nav
    assert re.findall(r'href="([^"]+)"', nav.group(1)) == ["/admin/recruiting", "/admin/account"]


def test_only_privacy_officers_and_admins_approve_corrections(
    pledge: Pledge, client: TestClient, world: World
) -> None:
    """Approving a rectification changes held data: support may act on requests, not that."""
    body = RequestIn.model_validate(
        {"type": "rectification", "email": "p@example.com", "country": "FR"}
    )
    rectification = submit(pledge, body).id
    answer = world.browsers["support"].post(
        f"/admin/requests/{rectification}/approve", data={"csrf": world.csrf["support"]}
    )
    assert answer.status_code == 403
    assert "may not approve corrections" in answer.text
    # A privacy officer passes the check (the request is not awaiting review: 409, refused).
    officer = world.browsers["privacy_officer"].post(
        f"/admin/requests/{rectification}/approve", data={"csrf": world.csrf["privacy_officer"]}
    )
    assert officer.status_code == 409
    assert "awaiting review" in officer.text


def test_role_changes_are_audited_and_end_the_accounts_sessions(
    pledge: Pledge, client: TestClient, world: World
) -> None:
    admin_id = user_id_for(pledge, "admin@interactions.com")
    support = world.browsers["support"]
    support_id = user_id_for(pledge, "support@interactions.com")
    assert support.get("/admin").status_code == 200
    admin = world.browsers["admin"]
    page = admin.get(f"/admin/staff/{support_id}")
    assert page.status_code == 200
    changed = admin.post(
        f"/admin/staff/{support_id}/role", data={"csrf": csrf_of(page.text), "role": "auditor"}
    )
    assert changed.status_code == 200
    assert "The role is changed; 1 session(s) ended" in changed.text
    assert support.get("/admin", follow_redirects=False).status_code == 303  # signed out
    with pledge.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "staff.role_changed")
        ).one()
        role = session.scalar(select(StaffUser.role).where(StaffUser.id == support_id))
    assert (entry.actor, entry.object_id) == (f"user:{admin_id}", support_id)
    assert entry.details == {"from": "support", "to": "auditor", "sessions_ended": 1}
    assert role == "auditor"
    bad = admin.post(
        f"/admin/staff/{support_id}/role", data={"csrf": csrf_of(page.text), "role": "root"}
    )
    assert bad.status_code == 422
    assert "role must be one of" in bad.text
    own = admin.post(
        f"/admin/staff/{admin_id}/role", data={"csrf": csrf_of(page.text), "role": "support"}
    )
    assert own.status_code == 400


def test_the_last_administrator_keeps_the_role(pledge: Pledge) -> None:
    from pledge.console.accounts import set_role
    from pledge.errors import Conflict

    only = create_user(
        pledge,
        email="only@interactions.com",
        role="admin",
        password="correct horse battery staple",
        actor="t",
    )
    with pytest.raises(Conflict, match="last active administrator"):
        set_role(pledge, only, "support", actor="t")
    other = create_staff(pledge, "other@interactions.com", "admin")
    assert set_role(pledge, only, "support", actor="t") == 0
    with pytest.raises(Conflict, match="last active administrator"):
        set_role(pledge, other, "auditor", actor="t")


def test_staff_is_still_a_role_name_and_means_support(pledge: Pledge) -> None:
    user_id = create_staff(pledge, "old@interactions.com", "staff")
    with pledge.sessions() as session:
        assert session.scalar(select(StaffUser.role).where(StaffUser.id == user_id)) == "support"


STAFF_USERS = sa.table(
    "staff_users",
    *(sa.column(name) for name in ("id", "email", "password_hash", "role", "failed_logins")),
    sa.column("created_at", UTCDateTime()),
)


def test_0015_renames_staff_to_support_and_back(pledge: Pledge) -> None:
    """Accounts created as ``staff`` before there were five roles keep what they could do."""
    downgrade(pledge.engine, "0014")
    with pledge.engine.begin() as conn:
        for n, role in enumerate(("staff", "admin")):
            conn.execute(
                STAFF_USERS.insert().values(
                    id=f"u-{n}",
                    email=f"{role}@interactions.com",
                    password_hash="x",
                    role=role,
                    failed_logins=0,
                    created_at=utcnow(),
                )
            )
    upgrade(pledge.engine)
    with pledge.sessions() as session:
        roles = dict(session.execute(select(StaffUser.id, StaffUser.role)).all())
        enabled = session.scalars(select(StaffUser.totp_enabled_at)).all()
    assert roles == {"u-0": "support", "u-1": "admin"}
    assert enabled == [None, None]  # admins set an app up at their next sign-in
    downgrade(pledge.engine, "0014")
    with pledge.engine.connect() as conn:
        back = dict(conn.execute(sa.select(STAFF_USERS.c.id, STAFF_USERS.c.role)).all())
    assert back == {"u-0": "staff", "u-1": "admin"}
    upgrade(pledge.engine)


def test_a_recruiter_without_an_authenticator_app_reaches_only_its_set_up(
    pledge: Pledge, client: TestClient
) -> None:
    """Applicants' résumés are read in clear on the recruiting page: a password is not enough."""
    email = "new-recruiter@interactions.com"
    create_user(pledge, email=email, role="recruiter", password=PASSWORD, actor="test")
    with TestClient(client.app, raise_server_exceptions=False) as browser:
        form = browser.get("/admin/login")
        answer = browser.post(
            "/admin/login",
            data={"email": email, "password": PASSWORD, "csrf": csrf_of(form.text)},
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/admin/account/second-factor"
        refused = browser.get("/admin/recruiting", follow_redirects=False)
        assert refused.headers.get("location") == "/admin/account/second-factor"
        setup = browser.get("/admin/account/second-factor")
        assert "set one up before anything else" in setup.text
        opening = browser.post(
            "/admin/recruiting/positions",
            data={"csrf": csrf_of(setup.text), "id": "x-1", "title": "X"},
            follow_redirects=False,
        )
        assert opening.status_code in (303, 403)
    assert open_ids(pledge) == set()
