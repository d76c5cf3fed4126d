"""The operator's default schedule, windows and limits: what every installation starts with.

Plain data, read by the data migration `0002_operator_defaults` (and nothing else at run time):
later changes are made in admin as a new published version, so history is never rewritten.
The schedule follows the seeds (issue 4, item 2); windows and limits DOMAIN.md §4.
"""

from __future__ import annotations

import datetime

OPERATOR_TEMPLATE_NAME = "Standard monitoring programme"

# (offset, day kind, channel, message template, attempts, minutes between attempts,
#  only if the previous step got no response)
DEFAULT_STEPS: tuple[tuple[int, str, str, str, int, int | None, bool], ...] = (
    (-3, "business", "call", "courtesy_call", 3, 120, False),
    (-2, "business", "sms", "courtesy_sms", 1, None, True),  # when the courtesy call failed
    (1, "calendar", "sms", "overdue_sms", 1, None, False),
    (3, "calendar", "call", "overdue_call", 3, 120, False),
    (5, "calendar", "voice", "overdue_voice", 1, None, False),
    (7, "calendar", "call", "overdue_call", 3, 120, False),
    (10, "calendar", "demand_letter", "payment_demand", 1, None, False),  # wezwanie do zapłaty
    (14, "calendar", "call", "overdue_call", 3, 120, False),  # weekly calls to +30
    (21, "calendar", "call", "overdue_call", 3, 120, False),
    (28, "calendar", "call", "overdue_call", 3, 120, False),
    (30, "calendar", "demand_letter", "second_demand", 1, None, False),
    (44, "calendar", "call", "overdue_call", 3, 120, False),  # every two weeks to +60
    (58, "calendar", "call", "overdue_call", 3, 120, False),
    (75, "calendar", "demand_letter", "final_demand", 1, None, False),  # ostateczne wezwanie
    (90, "calendar", "escalation", "escalation", 1, None, False),
)

EXPRESS_TEMPLATE_NAME = "Express monitoring"

# Express monitoring of a single invoice (issue 4, item 7): the same tuple layout, but the days
# count from the day the client handed the invoice over, so the programme starts that very day.
EXPRESS_STEPS: tuple[tuple[int, str, str, str, int, int | None, bool], ...] = (
    (0, "calendar", "call", "express_call", 3, 120, False),
    (1, "calendar", "sms", "express_sms", 1, None, False),
    (3, "calendar", "call", "overdue_call", 3, 120, False),
    (5, "calendar", "voice", "overdue_voice", 1, None, False),
    (7, "calendar", "demand_letter", "payment_demand", 1, None, False),  # wezwanie do zapłaty
    (10, "calendar", "call", "overdue_call", 3, 120, False),
    (14, "calendar", "call", "overdue_call", 3, 120, False),
    (21, "calendar", "call", "overdue_call", 3, 120, False),
    (30, "calendar", "demand_letter", "final_demand", 1, None, False),  # ostateczne wezwanie
    (45, "calendar", "escalation", "escalation", 1, None, False),
)

H = datetime.time
# channel: (weekday start, weekday end, Saturday start, Saturday end); DOMAIN.md §4.
DEFAULT_WINDOWS: dict[str, tuple[H, H, H | None, H | None]] = {
    "call": (H(8), H(20), H(9), H(14)),
    "sms": (H(9), H(19), H(9), H(19)),
    "voice": (H(9), H(19), H(9), H(19)),
    "email": (H(8), H(20), H(9), H(14)),
    # Documents are prepared and posted in office hours, never on Saturdays.
    "demand_letter": (H(8), H(16), None, None),
    "interest_note": (H(8), H(16), None, None),
}
