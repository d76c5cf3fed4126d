"""`Idempotency-Key` on every POST under /api/: a retried request gets the original response.

An ERP whose connection drops during a bulk upload cannot tell whether the upload was applied. If it
sent an `Idempotency-Key`, it retries with the same key: the same request within 24 hours replays
the stored response (header `Idempotent-Replayed: true`) instead of applying it twice; the same key
with another request is refused (422), and so is a retry while the first is still running (409).

The middleware does this for every POST view, so API views need not know about it. Keys belong to
one API key: another key sending the same string starts afresh.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.api_auth import active_api_key, bearer_token
from tenants.crypto import fernet_for
from tenants.models import ApiKey, IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# How long a response is replayed; older records are ignored, and purged daily (tenants.tasks).
RETENTION = datetime.timedelta(hours=24)
# A claim this old without a response belongs to a process that died mid-request: without this
# limit, one crash would lock the key for the whole 24 hours.
ABANDONED_AFTER = datetime.timedelta(minutes=10)
# Stored responses marked no-store (they hold a secret) start with this, then Fernet's token.
ENCRYPTED_MARK = b"fernet:"
# Requests and responses above this size are passed through without being recorded.
MAX_STORED_BYTES = 10 * 1024 * 1024
# Responses that say nothing about what the endpoint did (refused access, throttled, lost a race)
# are not replayed: a retry after the cause is gone must run for real.
UNRECORDED_STATUSES = frozenset({401, 403, 409, 429})


class Outcome(enum.Enum):
    CLAIMED = "claimed"
    REPLAY = "replay"
    IN_FLIGHT = "in_flight"
    MISMATCH = "mismatch"


@dataclass(frozen=True)
class Claim:
    outcome: Outcome
    record: IdempotencyRecord | None = None


def is_valid_key(key: str) -> bool:
    """1–255 printable ASCII characters, as the IETF Idempotency-Key draft expects."""
    return 0 < len(key) <= MAX_KEY_LENGTH and all(" " <= char <= "~" for char in key)


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same": method, path with query string, and the exact body."""
    digest = hashlib.sha256()
    for part in (method.encode(), b"\n", path.encode(), b"\n", body):
        digest.update(part)
    return digest.hexdigest()


def claim_idempotency_key(*, api_key: ApiKey, key: str, fingerprint: str) -> Claim:
    """Reserve `key` for this request, or say why not (a replay, a request in flight, a mismatch).

    The unique (api_key, key) row is the lock: whoever inserts it runs the request. A stale row
    (expired or abandoned) is deleted by its id and the insert retried once.
    """
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    tenant_id=api_key.tenant_id, api_key=api_key, key=key, fingerprint=fingerprint
                )
            return Claim(Outcome.CLAIMED, record)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
        if existing is None:
            continue  # released between our insert and our read
        if _is_stale(existing):
            IdempotencyRecord.objects.filter(pk=existing.pk).delete()
            continue
        if existing.fingerprint != fingerprint:
            return Claim(Outcome.MISMATCH, existing)
        if existing.is_in_flight:
            return Claim(Outcome.IN_FLIGHT, existing)
        return Claim(Outcome.REPLAY, existing)
    # Lost the race twice: another request with this key is being handled right now.
    return Claim(Outcome.IN_FLIGHT)


def _is_stale(record: IdempotencyRecord) -> bool:
    age = timezone.now() - record.created_at
    return age > RETENTION or (record.is_in_flight and age > ABANDONED_AFTER)


def record_response(*, record: IdempotencyRecord, response: HttpResponse) -> None:
    """Keep the response for replays, or release the key when the response must not be replayed.

    Server errors, streamed or oversized bodies and access refusals are released, so a retry of
    the same request runs again.
    """
    claimed = IdempotencyRecord.objects.filter(pk=record.pk, response_status__isnull=True)
    if (
        response.status_code >= 500
        or response.status_code in UNRECORDED_STATUSES
        or response.streaming
        or len(response.content) > MAX_STORED_BYTES
    ):
        claimed.delete()
        return
    body = response.content
    if "no-store" in response.get("Cache-Control", ""):  # a secret shown once: kept encrypted
        body = ENCRYPTED_MARK + fernet_for("idempotent-responses").encrypt(body)
    claimed.update(
        response_status=response.status_code,
        response_body=body,
        content_type=response.get("Content-Type", ""),
    )


def purge_expired_idempotency_records() -> int:
    """Delete records past the replay window; they are ignored anyway. Returns how many."""
    deleted, _by_model = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - RETENTION
    ).delete()
    return deleted


class IdempotencyMiddleware:
    """Applies `Idempotency-Key` to POSTs under /api/ authenticated by a Bearer API key.

    Requests without the header, without a valid key (DRF answers those with 401) or with a body
    above MAX_STORED_BYTES pass through untouched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        raw_api_key = bearer_token(request)
        api_key = active_api_key(raw_api_key) if raw_api_key else None
        if api_key is None:
            return self.get_response(request)
        if not is_valid_key(key):
            return _error(
                400,
                "invalid_idempotency_key",
                _(
                    "The Idempotency-Key header must be 1 to %(max)d printable ASCII characters "
                    "(a UUID is a good choice)."
                )
                % {"max": MAX_KEY_LENGTH},
            )
        body = _read_body(request)
        if body is None:
            return self.get_response(request)
        fingerprint = request_fingerprint(
            method=request.method, path=request.get_full_path(), body=body
        )
        claim = claim_idempotency_key(api_key=api_key, key=key, fingerprint=fingerprint)
        if claim.outcome is Outcome.MISMATCH:
            return _error(
                422,
                "idempotency_key_reused",
                _(
                    "This Idempotency-Key was already used with another request (a different "
                    "path or body) in the last 24 hours. Use a new key for a new request."
                ),
            )
        if claim.outcome is Outcome.IN_FLIGHT:
            return _error(
                409,
                "idempotency_key_in_flight",
                _(
                    "A request with this Idempotency-Key is still being processed. "
                    "Retry in a few seconds to get its response."
                ),
            )
        if claim.outcome is Outcome.REPLAY:
            return _replay(claim.record)
        try:
            response = self.get_response(request)
        except BaseException:
            # Normally Django turns exceptions into 500 responses below us; if one escapes
            # (DEBUG_PROPAGATE_EXCEPTIONS), the key must not stay locked.
            IdempotencyRecord.objects.filter(pk=claim.record.pk).delete()
            raise
        record_response(record=claim.record, response=response)
        return response


def _read_body(request: HttpRequest) -> bytes | None:
    """The body, kept on the request so the view still parses it; None when too big to record.

    `request.body` refuses bodies above DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default), yet file
    uploads of up to MAX_STORED_BYTES deserve idempotency too. For those this does what
    `HttpRequest.body` does itself: read the stream once and keep the bytes as `_body`, from which
    Django and DRF parse later.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > MAX_STORED_BYTES:
        return None
    if length <= (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_STORED_BYTES):
        return request.body
    body = request.read()
    request._body = body
    return body


def _stored_body(record: IdempotencyRecord) -> bytes:
    body = bytes(record.response_body)
    if body.startswith(ENCRYPTED_MARK):
        return fernet_for("idempotent-responses").decrypt(body[len(ENCRYPTED_MARK) :])
    return body


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        _stored_body(record),
        status=record.response_status,
        content_type=record.content_type or None,
    )
    response[REPLAYED_HEADER] = "true"
    if bytes(record.response_body[: len(ENCRYPTED_MARK)]) == ENCRYPTED_MARK:
        response["Cache-Control"] = "no-store"
    return response


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)
