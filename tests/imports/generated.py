"""Hostile files made while the parser reads them: a 40 MB line never sits in a test's memory."""

from __future__ import annotations

import io
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, TypeVar

T = TypeVar("T")
MB = 1024 * 1024


class _GeneratedRaw(io.RawIOBase):
    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._current = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._current:
            self._current = next(self._pieces, b"")
            if not self._current:
                return 0
        size = min(len(buffer), len(self._current))
        buffer[:size] = self._current[:size]
        self._current = self._current[size:]
        return size


def generated_stream(*parts: bytes | Iterable[bytes]) -> BinaryIO:
    """A binary stream of `parts` in order; an iterable part is drawn lazily."""

    def pieces() -> Iterator[bytes]:
        for part in parts:
            if isinstance(part, bytes):
                yield part
            else:
                yield from part

    return io.BufferedReader(_GeneratedRaw(pieces()))


def repeated(piece: bytes, total: int) -> Iterator[bytes]:
    """`total` bytes of `piece` repeated, 64 KiB at a time."""
    chunk = piece * max(1, 65536 // len(piece))
    for _ in range(total // len(chunk)):
        yield chunk


@dataclass
class Measured:
    seconds: float
    peak_bytes: int


def measured(work: Callable[[], T]) -> tuple[T, Measured]:
    """Run `work`, timing it and tracing the peak of memory it allocated."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = work()
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, Measured(seconds=seconds, peak_bytes=peak)
