"""One HTTP request with a total deadline, a capped response and no redirects.

Why a deadline of our own: httpx's timeouts bound each connect, read or
write, not the request. A receiver that drips one byte every few seconds,
in its headers or its body, never trips a read timeout and would hold a
worker for as long as it likes. Here every socket operation is given only
the time left until the request's deadline, so the whole exchange ends by it.
The response body is read up to a cap and never decompressed; redirects are
answers, not instructions, so a POST never turns into a GET elsewhere.

Connectors to HTTP systems reuse :func:`request_within`; webhooks use it
through :mod:`pledge.delivery.webhook`. A ``pin`` function, when given, turns the
URL's host into the one address the socket connects to (Client webhooks:
:mod:`pledge.delivery.addresses`); the ``Host`` header and TLS server name stay
the URL's host, so certificates are still checked against it.
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

MAX_RESPONSE_BYTES = 64 * 1024

Pin = Callable[[str, int, float], str]
"""``(host, port, seconds left) -> address`` to connect to; raises to refuse the host."""


@dataclass(frozen=True)
class HttpAnswer:
    """A response: its status and at most ``max_bytes`` of its raw body."""

    status: int
    body: bytes
    truncated: bool


def request_within(
    method: str,
    url: str,
    *,
    seconds: float,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    max_bytes: int = MAX_RESPONSE_BYTES,
    pin: Pin | None = None,
) -> HttpAnswer:
    """Send one request that is over within ``seconds``; raises ``httpx.HTTPError`` otherwise
    (or whatever ``pin`` raises to refuse the host)."""
    deadline = time.monotonic() + seconds
    transport = DeadlineTransport(deadline, pin=pin)
    with (
        httpx.Client(
            transport=transport, follow_redirects=False, trust_env=False, timeout=seconds
        ) as client,
        client.stream(method, url, content=body, headers=headers) as response,
    ):
        data, truncated = _read_capped(response.iter_raw(), max_bytes)
        return HttpAnswer(response.status_code, data, truncated)


def _read_capped(chunks: Iterable[bytes], max_bytes: int) -> tuple[bytes, bool]:
    data = bytearray()
    for chunk in chunks:
        data.extend(chunk)
        if len(data) > max_bytes:
            return bytes(data[:max_bytes]), True
    return bytes(data), False


class DeadlineTransport(httpx.BaseTransport):
    """An httpx transport over httpcore whose sockets never wait past ``deadline``."""

    def __init__(
        self, deadline: float, ssl_context: ssl.SSLContext | None = None, pin: Pin | None = None
    ) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or _default_ssl_context(),
            max_connections=1,
            network_backend=_DeadlineBackend(deadline, pin),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = self._pool.handle_request(core_request)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    """httpx's verifying context, built once: loading the CA bundle is not free."""
    return httpx.create_ssl_context()


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    """httpcore's exceptions as httpx's, the way httpx's own transport raises them."""
    try:
        yield
    except Exception as exc:
        for core, mapped in _ERRORS:
            if isinstance(exc, core):
                raise mapped(type(exc).__name__) from None
        raise


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's blocking sockets, each operation bounded by the time left.

    httpcore asks for a connection to the URL's host and later starts TLS with the
    same host as server name; only the address the socket reaches is ``pin``'s.
    """

    def __init__(self, deadline: float, pin: Pin | None = None) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline
        self._pin = pin

    def left(self, timeout: float | None, expired: type[Exception]) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise expired("the request's deadline passed")
        return remaining if timeout is None else min(timeout, remaining)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        wait = self.left(timeout, httpcore.ConnectTimeout)
        if self._pin is not None:
            host = self._pin(host, port, wait)
            wait = self.left(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, wait, local_address, socket_options)
        return _DeadlineStream(stream, self)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if self._pin is not None:
            raise httpcore.ConnectError("unix sockets are not reachable here")
        wait = self.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, wait, socket_options), self)

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, max(self._deadline - time.monotonic(), 0.0)))


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: _DeadlineBackend) -> None:
        self._inner = inner
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._backend.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._backend.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._backend.left(timeout, httpcore.ConnectTimeout)
        secured = self._inner.start_tls(ssl_context, server_hostname, wait)
        return _DeadlineStream(secured, self._backend)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
