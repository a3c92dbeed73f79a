"""``/api/docs``: a plain, script-free reference of the API, off unless ``PLEDGE_API_DOCS=1``.

FastAPI's Swagger UI loads its script and styles from a CDN, which would run
third-party code on the console's origin (where staff sessions live). This
page is rendered on the server from ``/api/openapi.json`` and loads nothing.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
METHODS = ("get", "post", "put", "patch", "delete")
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    return HTMLResponse(
        render(request.app.openapi()), headers={"Content-Security-Policy": PAGE_POLICY}
    )


def render(schema: dict[str, Any]) -> str:
    info = schema.get("info", {})
    rows = []
    for path, item in sorted(schema.get("paths", {}).items()):
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = _ref_name(
                operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            )
            answers = ", ".join(
                f"{code} {_ref_name(a.get('content', {}).get('application/json', {}))}".strip()
                for code, a in sorted(operation.get("responses", {}).items())
            )
            rows.append(
                "<tr>"
                f"<td><code>{escape(method.upper())} {escape(path)}</code></td>"
                f"<td>{escape(operation.get('summary', ''))}</td>"
                f"<td>{escape(body)}</td><td>{escape(answers)}</td>"
                "</tr>"
            )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(info.get('title', 'API'))} API</title></head><body>"
        f"<h1>{escape(info.get('title', 'API'))} API {escape(str(info.get('version', '')))}</h1>"
        '<p>The machine-readable description is <a href="/api/openapi.json">'
        "/api/openapi.json</a>.</p>"
        "<table><thead><tr><th>route</th><th>summary</th><th>body</th><th>answers</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table></body></html>"
    )


def _ref_name(media: dict[str, Any]) -> str:
    schema = media.get("schema", {})
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref", "")
    return str(ref).rsplit("/", 1)[-1]
