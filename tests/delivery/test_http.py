"""The HTTP request under a total deadline: capped answers, no redirects, real servers."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import httpx
import pytest

from pledge.delivery.http import request_within
from pledge.delivery.webhook import status_outcome
from tests.integration.http_server import running_http_server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    gets: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        if self.path == "/big":
            self.send_response(200)
            self.send_header("content-length", str(1_000_000))
            self.end_headers()
            self.wfile.write(b"x" * 1_000_000)
        else:
            self.send_response(302)
            self.send_header("location", "/elsewhere")
            self.send_header("content-length", "0")
            self.end_headers()

    def do_GET(self) -> None:
        type(self).gets.append(self.path)
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def base() -> Iterator[str]:
    with running_http_server() as (server, url):
        server.RequestHandlerClass = _Handler
        yield url


def test_the_answer_is_read_up_to_the_cap(base: str) -> None:
    answer = request_within("POST", f"{base}/big", seconds=10, body=b"{}", max_bytes=1000)
    assert (answer.status, len(answer.body), answer.truncated) == (200, 1000, True)


def test_a_redirect_is_an_answer_not_an_instruction(base: str) -> None:
    _Handler.gets = []
    answer = request_within("POST", f"{base}/moved", seconds=10, body=b"{}")
    assert answer.status == 302
    assert _Handler.gets == []
    assert status_outcome(302).result == "retry"


def test_an_unreachable_host_is_a_connect_error() -> None:
    with pytest.raises(httpx.ConnectError):
        request_within("POST", "http://127.0.0.1:9/x", seconds=5)


def test_statuses_sort_into_sent_retry_and_dead() -> None:
    results = {code: status_outcome(code).result for code in (200, 204, 302, 400, 404, 408, 410)}
    results |= {code: status_outcome(code).result for code in (429, 500, 503)}
    assert results == {
        200: "sent",
        204: "sent",
        302: "retry",
        400: "dead",
        404: "dead",
        408: "retry",
        410: "dead",
        429: "retry",
        500: "retry",
        503: "retry",
    }
