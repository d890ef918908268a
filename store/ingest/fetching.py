"""Fetching an ``http(s)://`` address: redirects, compression, a time limit for every wait and
one for the whole download, a size limit for the body, and each failure in a person's words.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import zlib

from store.errors import InputError
from store.ingest.limits import MAX_BYTES, READ_LIMIT, check_declared_size, too_large

USER_AGENT = "Mozilla/5.0 (compatible; margin terminal reader)"
URL_RE = re.compile(r"^https?://", re.IGNORECASE)
SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

WAIT_LIMIT = 20.0
"""Seconds margin waits for a server to connect, or to send anything more."""
TIME_LIMIT = 120.0
"""Seconds a whole download may take however the server paces it (20 MB at about 1.4 Mbit/s)."""


def fetch(url: str, timeout: float = WAIT_LIMIT, time_limit: float = TIME_LIMIT) -> tuple[bytes, str, str, str | None]:
    """GET ``url`` following redirects; return (body, final URL, content type, charset).

    ``timeout`` bounds each wait for the server and ``time_limit`` the whole fetch (connecting,
    TLS handshakes, headers, redirects and body), in seconds: a server that sends a byte every
    few seconds never lets a wait time out, so only the time limit stops it.
    """
    # Imported here: http.client pulls in the email package, and most commands never fetch.
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        _ascii_url(url),
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8",
        },
    )
    timeout = min(timeout, time_limit)
    deadline = _Deadline(time_limit)
    try:
        with deadline, _opener(deadline).open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdecimal():  # not isdigit: int() cannot read "²"
                check_declared_size(int(length), url)
            data = response.read(READ_LIMIT)
            final_url = response.geturl()
            if final_url == request.full_url:
                final_url = url  # not redirected: keep the address as the user wrote it
            content_type = response.headers.get_content_type() if response.headers.get("Content-Type") else ""
            charset = response.headers.get_content_charset()
            encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
    except urllib.error.HTTPError as err:
        err.close()
        if 300 <= err.code < 400:
            # urllib gives up after ten redirects, or at once on one back to an address seen.
            raise InputError(f"{url} redirects in a loop and never reaches a page",
                             "Open it in a browser, save the page and import the .html file.") from None
        raise InputError(f"{url} answered HTTP {err.code} {err.reason}".rstrip(), _http_advice(err.code)) from None
    except urllib.error.URLError as err:
        raise _network_error(url, err.reason, timeout, deadline) from None
    except (OSError, http.client.HTTPException) as err:  # timeouts while reading, resets, hang-ups
        raise _network_error(url, err, timeout, deadline) from None
    except ValueError as err:
        if deadline.passed():  # reading from a connection the deadline cut
            raise _too_slow(url, time_limit) from None
        raise InputError(f"{url} is not a valid address ({err})", "Check the URL.") from None
    if deadline.expired:  # the body "ended" because the deadline cut the connection
        raise _too_slow(url, time_limit)
    if encoding in ("gzip", "x-gzip", "deflate"):
        data = _inflate(data, encoding, url)
    elif encoding not in ("", "identity"):
        raise InputError(f"{url} came compressed as {encoding}, which margin cannot read", "Save the page from a browser and import the .html file.")
    return data, final_url, content_type, charset


class _Deadline:
    """The time limit of one fetch: when it passes, every connection of the fetch is cut.

    Each connection is opened through ``connect``, which gives connecting no longer than the
    time left and watches the socket from then on: a timer thread shuts it down when the time
    is up, which wakes a TLS handshake or a read blocked on it at once. The fetch then fails or
    sees its body end early, and ``expired`` tells it why.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._end = 0.0
        self._finished = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._end = time.monotonic() + self.seconds
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        with self._lock:  # after this, a late timer changes nothing: ``expired`` is final
            self._finished = True
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def connect(self, address: tuple[str, int], timeout: float,
                source_address: tuple[str, int] | None = None) -> socket.socket:
        """Open a TCP connection within the time left, watched until the fetch ends.

        Has the signature of ``socket.create_connection``, which http.client calls to connect.
        """
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the time limit passed before connecting")
        sock = socket.create_connection(address, min(timeout, left), source_address)
        self._watch(sock)
        return sock

    def passed(self) -> bool:
        """Whether the time limit has passed, cut or not (a wait may time out at the same moment)."""
        return self.expired or time.monotonic() >= self._end

    def _watch(self, sock: socket.socket) -> None:
        """Cut ``sock``'s connection when the time limit passes (at once if it has).

        A duplicate of the socket is kept, not the socket: wrapping a socket in TLS empties the
        original object, while shutting down any duplicate still ends the one connection.
        """
        duplicate = sock.dup()
        with self._lock:
            if self._finished:
                duplicate.close()
                return
            self._sockets.append(duplicate)
            if self.expired:
                _cut(duplicate)

    def _expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.expired = True
            for sock in self._sockets:
                _cut(sock)


def _cut(sock: socket.socket) -> None:
    """Shut a connection down for both directions, which ends a wait on it in another thread."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the peer already closed it: that fetch step is over


def _opener(deadline: _Deadline):
    """A urllib opener whose every connection, redirects included, is made and watched by ``deadline``."""
    import http.client
    import urllib.request

    # http.client connects through the instance's _create_connection (socket.create_connection
    # by default); replacing it puts connecting, the TLS handshake and every read under the limit.
    class WatchedHTTP(http.client.HTTPConnection):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = deadline.connect

    class WatchedHTTPS(http.client.HTTPSConnection):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = deadline.connect

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(WatchedHTTP, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(WatchedHTTPS, req, context=self._context)

    return urllib.request.build_opener(HTTPHandler, HTTPSHandler)


def _ascii_url(url: str) -> str:
    """``url`` as HTTP needs it: an IDNA host and a percent-encoded path (``/wiki/Київ``)."""
    import urllib.parse

    if url.isascii():
        return url
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if parts.hostname and not parts.hostname.isascii():
        try:
            netloc = netloc.replace(parts.hostname, parts.hostname.encode("idna").decode("ascii"))
        except UnicodeError:
            raise InputError(f"{url} has a host name that is not valid", "Check the address.") from None
    safe = "/%:@!$&'()*+,;=?~-._"
    return urllib.parse.urlunsplit(
        (parts.scheme, netloc, urllib.parse.quote(parts.path, safe=safe), urllib.parse.quote(parts.query, safe=safe), "")
    )


def _inflate(data: bytes, encoding: str, url: str) -> bytes:
    """Decompress a gzip or deflate body without letting it grow past MAX_BYTES."""
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        out = inflater.decompress(data, READ_LIMIT)
    except zlib.error:
        try:  # some servers send raw deflate without the zlib header
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            out = inflater.decompress(data, READ_LIMIT)
        except zlib.error:
            raise InputError(f"{url} sent a damaged {encoding} body", "Try again, or save the page from a browser.") from None
    if len(out) > MAX_BYTES or inflater.unconsumed_tail:
        raise too_large(url)
    return out


def _http_advice(code: int) -> str:
    """One line of advice for an HTTP error status."""
    if code in (404, 410):
        return "Check the address: the page may have moved or been removed."
    if code in (401, 403, 451):
        return "The site refused access: save the page from your browser and import the .html file."
    if code == 429:
        return "The site is rate-limiting requests: wait a while and try again."
    if code >= 500:
        return "The site failed to answer: try again later."
    return "Check the address, or save the page from your browser and import the .html file."


def _too_slow(url: str, time_limit: float) -> InputError:
    """The error for a fetch still going when its time limit passed."""
    return InputError(
        f"{url} was still downloading after {time_limit:g} s, the time limit",
        "The site is sending too slowly: try again later, or save the page from a browser and import the file.",
    )


def _network_error(url: str, reason: object, timeout: float, deadline: _Deadline) -> InputError:
    """The error for a URL that could not be fetched, saying why in a person's words."""
    import ssl

    if deadline.passed():
        return _too_slow(url, deadline.seconds)
    if isinstance(reason, TimeoutError):
        return InputError(f"{url} did not answer within {timeout:g} s", "Check your connection, or try again later.")
    if isinstance(reason, ConnectionRefusedError):
        return InputError(f"{url} is unreachable: the connection was refused", "Check the address and port, or try again later.")
    if isinstance(reason, socket.gaierror):
        return InputError(f"{url} is unreachable: its host name was not found", "Check the address and your network connection.")
    if isinstance(reason, ssl.SSLError):
        return InputError(f"{url}: the secure connection failed ({reason.reason or reason})", "Check the address; the site's certificate may be invalid.")
    detail = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return InputError(f"{url} is unreachable: {detail}", "Check the address and your network connection.")
