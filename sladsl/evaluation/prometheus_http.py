"""The HTTP side of `--data prometheus+http://HOST:9090`: one careful client for a server
that may be slow, broken or hostile.

Why so careful: the answers decide money. So the client follows no redirect (the basic
credentials of `user:secret@` must never travel to another address, and a redirect to
`ftp://` or `file://` must never be opened), gives each query one total deadline (a server
that drips its answer a byte at a time is cut off, which a per-read socket timeout never
does), reads at most MAX_ANSWER_BYTES of any answer (an endless body must not grow the
process), and shows every piece of server text escaped and cut (`shown`), so that a newline
in it cannot forge a second `sladsl: error:` line and no escape sequence reaches the
terminal. docs/prometheus.md documents each limit.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from typing import Any

from sladsl.language.diagnostics import SladslError

DEFAULT_TIMEOUT = Decimal(60)  # seconds: the total deadline of each query, all its requests included
MAX_TIMEOUT = Decimal(3600)
MAX_ANSWER_BYTES = 32 * 1024 * 1024  # of one answer's body; past it reading stops
MAX_ERROR_BYTES = 64 * 1024  # of an error answer's body, which is only quoted
MAX_SHOWN = 200  # characters of server text in a message
MAX_POINTS = 11_000  # Prometheus answers at most 11,000 points per series and query_range
US = 10**6

Series = tuple[dict[str, str], list[tuple[int, str]]]  # labels, [(time µs, value as sent)]


def shown(text: object, limit: int = MAX_SHOWN) -> str:
    """Server text as it may appear in one line on a terminal: cut to `limit` characters,
    then every control character, escape sequence and invisible or bidirectional format
    character written out as Python writes it in a string literal (`\\n`, `\\x1b`,
    `\\u202e`)."""
    raw = str(text)
    cut = raw[:limit]
    out = repr(cut)[1:-1]
    return out + ("…" if len(raw) > limit else "")


def seconds(us: int) -> str:
    return f"{us // US}.{us % US:06d}"


@dataclass(frozen=True)
class Chunk:
    """One query_range answer: the instants asked (first, first + step, ... last), the
    series and the server's `warnings` (the answer may be partial)."""

    first: int
    last: int
    series: Iterator[Series]
    warnings: list[str]


@dataclass(frozen=True)
class Server:
    """A Prometheus server: the API base URL, how to name it in messages (without the
    credentials), the total deadline of a query, and the basic-auth header."""

    base: str
    shown: str
    timeout: float
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def parse(data: str) -> Server:
        url = urllib.parse.urlsplit(data[len("prometheus+") :])
        if not url.hostname:
            raise SladslError(f"--data {data}: no host; write prometheus+http://HOST:9090")
        try:
            url.port  # noqa: B018 - validates the port
        except ValueError:
            raise SladslError(f"--data {data}: the port is not a number") from None
        timeout = DEFAULT_TIMEOUT
        for key, value in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
            if key != "timeout":
                raise SladslError(f"--data {data}: unknown option {key!r}; the only option is timeout=SECONDS")
            timeout = _timeout(data, value)
        host = url.hostname if ":" not in url.hostname else f"[{url.hostname}]"
        netloc = host + (f":{url.port}" if url.port else "")
        headers = {}
        if url.username is not None:
            secret = f"{urllib.parse.unquote(url.username)}:{urllib.parse.unquote(url.password or '')}"
            headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
        base = urllib.parse.urlunsplit((url.scheme, netloc, url.path.rstrip("/"), "", ""))
        return Server(base, f"prometheus+{base}", float(timeout), headers)

    def query_range(self, query: str, start_us: int, end_us: int, step_us: int) -> Iterator[Chunk]:
        """The answers for `query` at start, start + step, ... end (epoch µs), in requests of
        at most MAX_POINTS instants, all within one deadline."""
        deadline = time.monotonic() + self.timeout
        where = f"{self.shown}: query {query!r}"
        first = start_us
        while first <= end_us:
            last = min(end_us, first + (MAX_POINTS - 1) * step_us)
            form = {"query": query, "start": seconds(first), "end": seconds(last), "step": seconds(step_us)}
            answer = self.call("/api/v1/query_range", form, deadline, where)
            yield Chunk(first, last, _matrix(answer, where), _warnings(answer))
            first = last + step_us

    def labels(self, match: str, start_us: int | None, end_us: int | None, where: str) -> tuple[list[str], bool]:
        """The label names of the series `match` selects between start and end (the
        server's whole store when None), and whether the server warned (then an empty
        list proves nothing)."""
        form = {"match[]": match}
        if start_us is not None and end_us is not None:
            form |= {"start": seconds(start_us), "end": seconds(end_us)}
        return self._names("/api/v1/labels", form, where)

    def label_values(self, label: str, match: str, where: str) -> list[str]:
        """The values `label` takes in the series `match` selects, in the whole store."""
        path = "/api/v1/label/" + urllib.parse.quote(label, safe="") + "/values"
        return self._names(path, {"match[]": match}, where, get=True)[0]

    def _names(self, path: str, form: dict[str, str], where: str, get: bool = False) -> tuple[list[str], bool]:
        where = f"{where}: checking its series with {'/api/v1/label/…/values' if get else path}"
        answer = self.call(path, form, time.monotonic() + self.timeout, where, get)
        data = answer.get("data")
        if not isinstance(data, list) or not all(isinstance(n, str) for n in data):
            raise SladslError(f"{where}: the answer is not a list of names")
        return data, bool(_warnings(answer))

    def call(self, path: str, form: dict[str, str], deadline: float, where: str, get: bool = False) -> dict[str, Any]:
        """POST `form` to the API `path` (or GET it, for the label values, which Prometheus
        2 serves by GET only); the `status: success` answer as a dict, or a one-line
        SladslError (server text escaped) when anything else happens."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise SladslError(f"{where}: {_late(self.timeout)}")
        form = {**form, "timeout": f"{max(left, 0.001):.3f}"}  # seconds, as Prometheus parses them
        encoded = urllib.parse.urlencode(form)
        if get:
            request = urllib.request.Request(f"{self.base}{path}?{encoded}", headers=self.headers)
        else:
            request = urllib.request.Request(
                self.base + path,
                data=encoded.encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", **self.headers},
            )
        status, body, location = _exchange(request, left, self, where)
        if 300 <= status < 400:
            raise SladslError(
                f"{where}: the server redirects (HTTP {status}) to '{shown(location)}'; sladsl follows no "
                "redirect (the credentials must not travel): give the final address in --data"
            )
        if status >= 400:
            raise SladslError(f"{where}: {_api_error(body, _status(status))}")
        try:
            answer = json.loads(body)
        except (ValueError, RecursionError):
            raise SladslError(f"{where}: the answer is not JSON; is this a Prometheus server?") from None
        if not isinstance(answer, dict) or answer.get("status") != "success":
            raise SladslError(f"{where}: {_api_error(body, 'the answer is not a success')}")
        return answer


def _timeout(data: str, value: str) -> Decimal:
    try:
        timeout = Decimal(value.removesuffix("s"))
    except InvalidOperation:
        timeout = Decimal(-1)
    if not timeout.is_finite() or not 0 < timeout <= MAX_TIMEOUT:
        raise SladslError(f"--data {data}: timeout={value!r} is not a number of seconds from 0 to {MAX_TIMEOUT}")
    return timeout


def _status(code: int) -> str:
    """`HTTP 404 Not Found`, with the standard phrase, not the one the server sent."""
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


def _late(timeout: float) -> str:
    return f"no complete answer within {timeout:g} s (the deadline of each query; ?timeout=SECONDS)"


# ---- one request under a deadline -----------------------------------------------------


class _Watch:
    """The sockets of one request, and a deadline that shuts them: a read blocked on a
    server that drips its answer ends then, not at the next byte. (The socket is taken
    when it is made: urllib drops the connection's reference once the headers are in,
    while the body is still to be read from it.)"""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.expired = False

    def add(self, sock: socket.socket) -> socket.socket:
        with self.lock:
            self.sockets.append(sock)
            if self.expired:
                sock.close()
                raise TimeoutError("the deadline has passed")
        return sock

    def fire(self) -> None:
        with self.lock:
            self.expired = True
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Every 3xx stays an answer (an HTTPError the caller refuses): nothing is followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, watch: _Watch) -> None:
        super().__init__()
        self.watch = watch

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_connection(http.client.HTTPConnection, self.watch), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, watch: _Watch) -> None:
        super().__init__()
        self.watch = watch

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_connection(http.client.HTTPSConnection, self.watch), req)


def _connection(kind: type[http.client.HTTPConnection], watch: _Watch) -> Callable[..., http.client.HTTPConnection]:
    """A connection class for urllib whose sockets the watch can shut."""

    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        connection = kind(host, **kwargs)
        create = connection._create_connection  # type: ignore[attr-defined]

        def watched(*args: Any, **kw: Any) -> socket.socket:
            return watch.add(create(*args, **kw))

        connection._create_connection = watched  # type: ignore[attr-defined]
        return connection

    return make


def _exchange(request: urllib.request.Request, left: float, server: Server, where: str) -> tuple[int, bytes, str]:
    """(status, body, Location) of one request that must end within `left` seconds: a
    timer shuts the socket at the deadline, whatever the server is doing."""
    watch = _Watch()
    opener = urllib.request.build_opener(_HTTP(watch), _HTTPS(watch), _NoRedirect())
    timer = threading.Timer(left, watch.fire)
    timer.daemon = True
    timer.start()
    try:
        return _send(opener, request, left, where)
    except SladslError:
        if watch.expired:
            raise SladslError(f"{where}: {_late(server.timeout)}") from None
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if watch.expired or isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError):
            raise SladslError(f"{where}: {_late(server.timeout)}") from None
        if isinstance(exc, urllib.error.URLError):
            raise SladslError(f"{server.shown}: cannot reach the server ({shown(exc.reason)})") from None
        raise SladslError(f"{where}: the connection failed ({shown(type(exc).__name__)}: {shown(exc)})") from None
    finally:
        timer.cancel()
        if watch.expired:  # an answer cut by the deadline may look whole (read until close)
            raise SladslError(f"{where}: {_late(server.timeout)}")


def _send(
    opener: urllib.request.OpenerDirector, request: urllib.request.Request, left: float, where: str
) -> tuple[int, bytes, str]:
    try:
        with opener.open(request, timeout=left) as answer:
            return answer.status, _read(answer, MAX_ANSWER_BYTES, where), ""
    except urllib.error.HTTPError as exc:
        with exc:
            location = exc.headers.get("Location", "") if exc.headers else ""
            body = b"" if 300 <= exc.code < 400 else exc.read(MAX_ERROR_BYTES)
            return exc.code, body, location


def _read(answer: Any, cap: int, where: str) -> bytes:
    """The body, or a SladslError as soon as it passes `cap` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = answer.read(min(1 << 16, cap + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > cap:
            raise SladslError(
                f"{where}: the answer is larger than {cap // (1024 * 1024)} MiB; reading stopped "
                "(sum the query's series, or shorten the period)"
            )
        chunks.append(chunk)


# ---- what the answers say -------------------------------------------------------------


def _api_error(body: bytes, fallback: str) -> str:
    """The server's reason, escaped: `errorType: error` from a JSON error answer."""
    try:
        found = json.loads(body)
    except (ValueError, RecursionError):
        return fallback
    if isinstance(found, dict) and found.get("error"):
        kind = found.get("errorType")
        text = f"{kind}: {found['error']}" if kind else str(found["error"])
        return shown(text)
    return fallback


def _warnings(answer: dict[str, Any]) -> list[str]:
    found = answer.get("warnings")
    if not found:
        return []
    return [str(w) for w in found] if isinstance(found, list) else [str(found)]


def _matrix(answer: dict[str, Any], where: str) -> Iterator[Series]:
    """The series of a range answer, one at a time (each is dropped from the parsed answer
    as it is read, so that the answer and its points are not held twice), each label set
    once and each instant once per series; anything else is refused (it would be counted
    twice)."""
    data = answer.get("data")
    kind = data.get("resultType") if isinstance(data, dict) else None
    if kind != "matrix":
        raise SladslError(f"{where}: gives a {shown(kind, 40)}, not a range vector")
    result = data.get("result") if isinstance(data, dict) else None
    if not result:
        return iter(())
    if not isinstance(result, list):
        raise SladslError(f"{where}: the answer is not a Prometheus range result")
    return _series(result, where)


def _us(t: object) -> int:
    """A point's time (seconds, to the millisecond) in µs; a float of epoch seconds holds
    its milliseconds exactly enough for `round`, and is much quicker than Decimal."""
    if isinstance(t, float | int) and not isinstance(t, bool):
        return round(t * 1000) * 1000
    return round(Decimal(str(t)) * 1000) * 1000


def _series(result: list[Any], where: str) -> Iterator[Series]:
    seen: set[tuple[tuple[str, str], ...]] = set()
    result.reverse()
    while result:
        item = result.pop()
        try:
            labels = {str(k): str(v) for k, v in (item.get("metric") or {}).items()}
            key = tuple(sorted(labels.items()))
            points = [(_us(t), str(v)) for t, v in item.get("values") or []]
            twice = key in seen or len({t for t, _ in points}) != len(points)
        except (AttributeError, TypeError, ValueError, ArithmeticError):
            twice = True
        if twice:
            raise SladslError(f"{where}: the answer is not a Prometheus range result")
        seen.add(key)
        yield labels, points
