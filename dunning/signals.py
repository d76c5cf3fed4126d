"""News that travels up from dunning: the contact schedule subscribes, dunning never imports it.

Every signal carries plain data (ids, strings, dates), never another app's model, so a receiver
reads what it needs through its own selectors. `sender` is the dunning module that sends.
"""

from django.dispatch import Signal

# A message or call reached an end that says something about the contact.
# kwargs: tenant_id, payer_id, contact_task_id (int | None), message_id, channel ("sms" |
# "voice" | "call" | "email"), result ("reached" | "no_answer" | "voicemail" | "wrong_number"),
# recipient (str), occurred_at (aware datetime).
contact_result = Signal()

# An inbound SMS from a payer's number.
# kwargs: tenant_id, payer_id, contact_task_id (int | None: the task of the message it answers),
# message_id (int | None), intent ("opt_out" | "paid" | "note"), body (str), sender_number (str,
# E.164), received_at (aware datetime).
inbound_sms_received = Signal()

# A keypress answer to a voice message ("press 1 to confirm payment by <date>", "press 2 for a
# consultant").
# kwargs: tenant_id, payer_id, contact_task_id (int | None), message_id, digit (str),
# meaning ("promise" | "callback"), promise_date (date | None), invoice_ids (list[int]),
# occurred_at (aware datetime).
voice_answer_received = Signal()

# A letter (payment demand, interest note) of a contact task is rendered and stored: the task's
# contact is made, so the planner must not carry it to another day (which would send it again).
# kwargs: tenant_id, payer_id, contact_task_id, document_id, kind (DocumentKind value).
letter_issued = Signal()
