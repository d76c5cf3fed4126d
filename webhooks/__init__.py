"""Outbound webhooks to the client's ERP: subscriptions, a signed outbox, retries, a log.

Any app announces something with `webhooks.services.publish_event(tenant=…, event_type=…,
data=…)` inside its own transaction (a rollback publishes nothing); the type must be listed in
`webhooks.events.EVENT_TYPES`. The ERP receives `{"type": …, "timestamp": …, "data": …}` signed
per Standard Webhooks (webhooks.signing). `data` is a JSON-serialisable dict (Decimals and dates
become strings): small and self-contained, with our ids and the client's external ids, e.g.

    import.finished  {"import_id": 12, "status": "done", "format": "csv", "channel": "api",
                      "file_name": "feed.csv", "sha256": "…", "snapshot": false,
                      "rows_total": 120, "created": 100, "updated": 15, "unchanged": 0,
                      "rejected": 5, "summary": "…", "finished_at": "2026-11-25T21:00:03+00:00"}
    payment.matched  {"payment_id": 345, "payment_external_id": "bank:0042",
                      "payer_id": 9, "payer_external_id": "K/17", "amount": "1230.00",
                      "currency": "PLN", "received_on": "2026-11-24", "reference": "FV/12/2026",
                      "bank_entry_id": 51, "bank_reference": "0042", "match_reason": "title",
                      "allocations": [{"invoice_id": 77, "invoice_external_id": "FV/12/2026",
                      "number": "FV/12/2026", "amount": "1230.00", "outstanding_after": "0.00",
                      "status": "paid"}], "unallocated": "0.00"}
    webhook.test     {"endpoint_id": 3, "message": "A test event from Monitoring. …"}
"""
