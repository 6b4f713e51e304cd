"""Reading an answer's body with a byte cap and a total deadline, whatever the server sends.

A service's answer is untrusted input: an endless chunked body, a 200 MB body or one byte every few seconds must
end quickly with a clear reason, not fill memory or keep the scan waiting. Both HTTP clients (httpx for the
services, requests under PyGithub for GitHub) hand their raw byte chunks to :func:`read_body`, which

- stops with :class:`AnswerTooLarge` once the decoded body passes ``cap`` bytes (a compressed body is decoded with
  a bounded decompressor, so a small gzip bomb cannot expand past the cap either);
- stops with :class:`AnswerTooSlow` once ``deadline`` (a ``monotonic()`` instant) has passed between two chunks, so
  a server trickling bytes cannot stretch one answer past the deadline plus one read timeout.

We ask for ``Accept-Encoding: identity``; a server that compresses anyway is still decoded (gzip, deflate), and
any other encoding is refused with :class:`AnswerUnreadable`.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable
from typing import Protocol

# Far above any answer we read (a bestpractices.dev project is ~100 KB, the foundation CSV ~110 KB, a page of 100
# GitHub repositories ~600 KB), far below what would hurt.
MAX_BODY_BYTES = 16 * 1024 * 1024
IDENTITY = {"Accept-Encoding": "identity"}


class AnswerTooLarge(Exception):
    """The body passed the byte cap; the rest was not read."""

    def __init__(self, cap: int):
        self.cap = cap
        super().__init__(f"answer larger than {cap // (1024 * 1024)} MB; not read")


class AnswerTooSlow(Exception):
    """The body did not arrive in full before the deadline."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"answer not complete within {seconds:g} s; not read")


class AnswerUnreadable(Exception):
    """The body came in an encoding we did not ask for and cannot decode safely."""


def read_body(
    chunks: Iterable[bytes],
    *,
    content_encoding: str | None = None,
    cap: int = MAX_BODY_BYTES,
    seconds: float,
    monotonic: Callable[[], float] = time.monotonic,
) -> bytes:
    """The decoded body from ``chunks``; raises once it passes ``cap`` bytes or ``seconds`` from now."""
    deadline = monotonic() + seconds
    decoder = _decoder(content_encoding)
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        if decoder is not None and chunk:
            chunk = _decode(decoder, chunk, cap - size + 1)
        size += len(chunk)
        if size > cap:
            raise AnswerTooLarge(cap)
        if chunk:
            parts.append(chunk)
        if monotonic() > deadline:
            raise AnswerTooSlow(seconds)
    if decoder is not None:
        if decoder.unconsumed_tail:
            raise AnswerUnreadable("compressed answer does not end where it should")
        tail = decoder.flush()
        size += len(tail)
        if size > cap:
            raise AnswerTooLarge(cap)
        parts.append(tail)
    return b"".join(parts)


class _Decompressor(Protocol):
    """What we use of a ``zlib.decompressobj()``."""

    @property
    def unconsumed_tail(self) -> bytes: ...

    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...

    def flush(self, length: int = ..., /) -> bytes: ...


def _decoder(content_encoding: str | None) -> _Decompressor | None:
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise AnswerUnreadable(f"answer in content encoding {encoding[:20]!r}, which we did not ask for")


def _decode(decoder: _Decompressor, chunk: bytes, room: int) -> bytes:
    """Decompress ``chunk`` producing at most ``room`` bytes (one past the cap is enough to know it is over)."""
    try:
        out = decoder.decompress(chunk, room)
        while decoder.unconsumed_tail and len(out) < room:
            more = decoder.decompress(decoder.unconsumed_tail, room - len(out))
            if not more:
                break
            out += more
    except zlib.error as exc:
        raise AnswerUnreadable(f"answer does not decompress: {exc}") from None
    return out
