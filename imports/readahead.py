"""Read the next chunk of a file on a thread while the current one is written to the database.

Parsers never touch the database (`imports.parsers.base`), so a thread can run one chunk ahead
of the batch's transaction: while PostgreSQL works on chunk N — the worker waits on its socket,
the GIL released — the thread reads and converts chunk N+1. At most two chunks are held beyond
the one being written (one queued, one being read), so memory stays bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from types import TracebackType

from imports.parsers.base import ParsedRow

_END = object()
_PUT_WAIT = 0.05  # seconds between checks that the reader has not been told to stop


def chunks(rows: Iterator[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    chunk: list[ParsedRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class ReadAhead:
    """Chunks of `rows` read on a thread, one ahead; an error of the parser is raised here.

    `build_rows`: the thread also builds deferred rows (`ParsedRow.pending`). Worth it while most
    rows are new or changed; the consumer turns it off when most are unchanged (a re-import),
    whose rows need no building. Use as a context manager: leaving stops the thread.
    """

    def __init__(self, rows: Iterator[ParsedRow], size: int) -> None:
        self.build_rows = True
        self._queue: queue.Queue[object] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._read, args=(rows, size), name="import-read-ahead", daemon=True
        )

    def __enter__(self) -> ReadAhead:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def __iter__(self) -> Iterator[list[ParsedRow]]:
        while (item := self._queue.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    def _read(self, rows: Iterator[ParsedRow], size: int) -> None:
        try:
            for chunk in chunks(rows, size):
                if self.build_rows:
                    for row in chunk:
                        if row.pending is not None:
                            row.pending.built()
                if not self._put(chunk):
                    return
            self._put(_END)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, raised there
            self._put(error)

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_PUT_WAIT)
                return True
            except queue.Full:
                continue
        return False
