"""The outbox: every SMS, voice message, consultant call and e-mail is a `Message` row first.

States: queued → sending → sent → delivered | undelivered | failed (or canceled). Nothing is sent
without a row, and a row is handed to the provider at most once. The design, step by step:

1. **Queue** (`queue.enqueue_message`): the row is written with the contact window it may go out in
   (`not_before`/`not_after`, asked of the contact schedule through `dunning.windows`) and `due_at`.
   A contact task's message is unique per (task, channel), so queueing twice makes one row.
2. **Claim** (`dispatch.claim_batch`): in its own short transaction the dispatcher selects due rows
   with `SELECT … FOR UPDATE SKIP LOCKED` (on SQLite, whose transactions here start IMMEDIATE and
   so run one at a time, the plain select is the same claim), marks them `sending` with the
   claim time and `attempts + 1`, and commits. From then on no other dispatcher takes them.
3. **Send**: each claimed row goes to its channel with its token in the request (the
   status-callback URL names the row), so every later webhook finds it. The result is written
   only if the row is still `sending` from this claim (`UPDATE … WHERE status='sending' AND
   sending_started_at=<claim>`); a webhook that came first wins.
4. **Crash between the provider call and the commit**: the row stays `sending`. After
   OUTBOX_STALE_AFTER_SECONDS a dispatcher may claim it again — and a row claimed with
   `attempts > 0` is never sent blindly: the channel's `find_sent` asks the provider first
   (Twilio: the recipient's newest messages, matched by text; calls by caller) and, when the
   provider has it, the row takes that SID and is not sent again. The same applies after an
   ambiguous error (timeout, 5xx): the provider may have the message, so the next attempt
   reconciles first. A worker starts no send past half the stale time after its claim (it
   releases what it has not started), and a message takes at most two requests (reconcile, send)
   each under the HTTP timeout, which settings keep under a quarter of the stale time: so a live
   worker's row is never taken for a dead one's.
5. **Retry**: 429, 5xx and network errors put the row back to `queued` with exponential backoff
   (OUTBOX_BACKOFF_SECONDS × 2^(attempt−1)) up to OUTBOX_MAX_ATTEMPTS, then `failed` with the
   error; permanent errors (an invalid number) fail at once. Nothing is dropped: a row ends in a
   final state the payer page shows, with its error.
6. **Window**: a row whose window closed before it went out (a retry, a late beat) is moved to
   the next window instead of being sent at night.

E-mail cannot be reconciled (SMTP keeps no list to ask); a resend keeps the Message-ID, which
receiving servers use to drop duplicates. The console backend keeps no record either.
"""

from dunning.outbox.dispatch import DispatchReport, claim_batch, dispatch_due
from dunning.outbox.queue import enqueue_message, sender_for

__all__ = ["DispatchReport", "claim_batch", "dispatch_due", "enqueue_message", "sender_for"]
