"""Jinja2 templates for server-rendered pages: autoescaped, and translated.

One environment for every page, with Jinja2's i18n extension in its
"newstyle" form: ``{{ _("Send request") }}``, with named values
``{{ _("We answer within %(time)s.", time=right.deadline) }}`` (escaped like
any other value), and ``{% trans %}`` blocks. The words come from the
catalogue of the ``language`` in the template's context, which every page
gets from the request (:func:`page_context`; ``TemplateResponse`` adds it
itself), together with ``lang`` for ``<html lang>`` and ``languages`` for the
switcher, and ``site`` for the public pages' header and footer
(``{% include "site_header.html" %}``, ``{% include "site_footer.html" %}``,
styled by ``/static/pledge.css``). A template rendered without a language
speaks English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context
from jinja2.runtime import Context

from pledge.db.base import utcnow
from pledge.i18n import Language, source_language
from pledge.web.language import choices, request_language
from pledge.web.site import request_site

environment = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,  # every template, whatever its name: values may be a person's data
    extensions=["jinja2.ext.i18n"],
)


def _language(context: Context) -> Language:
    found = context.get("language")
    return found if isinstance(found, Language) else source_language()


@pass_context
def _gettext(context: Context, message: str) -> str:
    return _language(context).catalogue.gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return _language(context).catalogue.ngettext(singular, plural, count)


environment.policies["ext.i18n.trimmed"] = True  # as babel.cfg extracts them
environment.install_gettext_callables(  # type: ignore[attr-defined]  # added by the extension
    _gettext, _ngettext, newstyle=True
)


def page_context(request: Request) -> dict[str, Any]:
    """``language``, ``lang``, ``languages`` (the switcher's links) and ``site`` for this request.

    ``site`` is the controller's name and contacts for the header and footer
    (:mod:`pledge.web.site`).

    A page answering a form names the page its switcher links go to with
    :func:`switch_back_to` first, since a link cannot repeat a ``POST``.
    """
    spoken = request_language(request)
    back = getattr(request.state, "switch_back_to", None) or (None, None)
    return {
        "language": spoken,
        "lang": spoken.code,
        "languages": choices(request, *back),
        "site": request_site(request),
        "policy_notice": policy_notice(request),
    }


def policy_notice(request: Request) -> Any:
    """The changed-policy notice while its period lasts (read at start-up: no query per page)."""
    notice = getattr(request.app.state, "policy_notice", None)
    if notice is None or utcnow() >= notice.until:
        return None
    return notice


def switch_back_to(request: Request, path: str, params: dict[str, str] | None = None) -> None:
    """Where this page's language links lead: the page (and query) that shows it again."""
    request.state.switch_back_to = (path, params or {})


def render(request: Request, name: str, **context: Any) -> str:
    """A template as text, in the request's language."""
    return environment.get_template(name).render({**context, **page_context(request)})


templates = Jinja2Templates(env=environment, context_processors=[page_context])


PUBLIC_FORM_POLICY = (
    "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
"""The privacy center's pages and forms: their stylesheet from this origin, forms sent here
only, no script or anything else from anywhere (an injected tag would load nothing)."""

SITE_FORM_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""The site's form pages (``/forms/{id}``): as the privacy center's, but they run the cookie
banner (``/consent.js``) and, after analytics consent only, the beacon (``/static/beacon.js``),
both from this origin and talking only to it. No inline script: an injected ``<script>``
runs nothing, though an injected tag could still load a script of this origin."""

CONSOLE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}
"""Every console page: never cached, never framed, nothing loaded from elsewhere."""
