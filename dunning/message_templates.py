"""Message texts: a Polish default for every step of the default schedule, a client's own
wording (`MessageTemplate`) when it has one, and the placeholders both may use.

Placeholders are Django template variables: {{ payer_name }}, {{ invoice_numbers }},
{{ amount }}, {{ due_date }}, {{ days_overdue }} (a number), {{ days_overdue_text }} ('1 dzień',
'12 dni'), {{ client_name }}, {{ bank_account }},
{{ consultant_phone }}, {{ operator_name }}, {{ promise_date }}. Every contact names the caller
and the client (DOMAIN.md §4).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import VariableNode
from django.utils.translation import gettext as _
from django.utils.translation import override

from dunning.models import MessageTemplate, SenderIdentity
from dunning.sms_text import SmsLength, sms_segments, transliterate
from invoices.models import Invoice
from invoices.templatetags.money import money
from payers.models import Payer
from tenants.models import Tenant

__all__ = ["DEFAULT_TEMPLATES", "PLACEHOLDERS", "Rendered", "render_message", "sms_segments"]

PLACEHOLDERS = (
    "payer_name", "invoice_numbers", "amount", "due_date", "days_overdue", "days_overdue_text",
    "client_name",
    "bank_account", "consultant_phone", "operator_name", "promise_date",
)  # fmt: skip
ENGINE = Engine(autoescape=False)
SINGLE_DOT = re.compile(r"(?<!\.)\.\.(?!\.)")


@dataclass(frozen=True)
class DefaultTemplate:
    channel: str
    body: str
    subject: str = ""


_SIGNATURE = "{{ operator_name }} w imieniu {{ client_name }}"
DEFAULT_TEMPLATES: dict[str, DefaultTemplate] = {
    "courtesy_call": DefaultTemplate(
        "call",
        "Dzień dobry, nazywam się … i dzwonię z {{ operator_name }} w imieniu {{ client_name }}. "
        "Przypominamy, że {{ due_date }} mija termin płatności faktur {{ invoice_numbers }} "
        "na kwotę {{ amount }}. Czy płatność jest zaplanowana?",
    ),
    "courtesy_sms": DefaultTemplate(
        "sms",
        "{{ client_name }}: {{ due_date }} mija termin płatności faktur {{ invoice_numbers }} "
        "({{ amount }}). Konto: {{ bank_account }}. Tel. {{ consultant_phone }}, "
        "{{ operator_name }}",
    ),
    "overdue_sms": DefaultTemplate(
        "sms",
        "{{ client_name }}: faktury {{ invoice_numbers }} ({{ amount }}) są "
        "{{ days_overdue_text }} po terminie. Prosimy o wpłatę na konto {{ bank_account }}. "
        "Jeśli zapłacono, odpisz ZAPLACONE. Tel. {{ consultant_phone }}, {{ operator_name }}",
    ),
    "overdue_call": DefaultTemplate(
        "call",
        "Dzień dobry, nazywam się … z {{ operator_name }}, dzwonię w imieniu {{ client_name }}. "
        "Płatność za faktury {{ invoice_numbers }} na kwotę {{ amount }} jest opóźniona o "
        "{{ days_overdue_text }}. Kiedy możemy spodziewać się wpłaty?",
    ),
    "overdue_voice": DefaultTemplate(
        "voice",
        "Dzień dobry. Tu {{ operator_name }} w imieniu firmy {{ client_name }}. Wiadomość dla "
        "{{ payer_name }}. Płatność za faktury na kwotę {{ amount }} jest opóźniona o "
        "{{ days_overdue_text }}. Prosimy o wpłatę lub kontakt pod numerem {{ consultant_phone }}.",
    ),
    "payment_demand": DefaultTemplate(
        "email",
        "Szanowni Państwo,\n\nw załączeniu przesyłamy wezwanie do zapłaty faktur "
        "{{ invoice_numbers }} na kwotę {{ amount }}, wystawionych przez {{ client_name }}. "
        "Prosimy o wpłatę na rachunek {{ bank_account }}.\n\nW razie pytań: "
        "{{ consultant_phone }}.\n\n" + _SIGNATURE,
        subject="Wezwanie do zapłaty – {{ client_name }}",
    ),
    "second_demand": DefaultTemplate(
        "email",
        "Szanowni Państwo,\n\nmimo wcześniejszego wezwania faktury {{ invoice_numbers }} na kwotę "
        "{{ amount }} pozostają nieopłacone; płatność jest opóźniona o {{ days_overdue_text }}. "
        "W załączeniu ponowne wezwanie do zapłaty. Rachunek: {{ bank_account }}.\n\n"
        "Kontakt: {{ consultant_phone }}.\n\n" + _SIGNATURE,
        subject="Ponowne wezwanie do zapłaty – {{ client_name }}",
    ),
    "final_demand": DefaultTemplate(
        "email",
        "Szanowni Państwo,\n\nw załączeniu ostateczne przedsądowe wezwanie do zapłaty faktur "
        "{{ invoice_numbers }} na kwotę {{ amount }}. Brak wpłaty na rachunek {{ bank_account }} "
        "spowoduje przekazanie sprawy do windykacji.\n\nKontakt: {{ consultant_phone }}.\n\n"
        + _SIGNATURE,
        subject="Ostateczne wezwanie do zapłaty – {{ client_name }}",
    ),
    "escalation": DefaultTemplate(
        "email",
        "Szanowni Państwo,\n\nz powodu braku zapłaty faktur {{ invoice_numbers }} na kwotę "
        "{{ amount }} sprawa zostaje przekazana do windykacji.\n\nKontakt: "
        "{{ consultant_phone }}.\n\n" + _SIGNATURE,
        subject="Przekazanie sprawy do windykacji – {{ client_name }}",
    ),
}


@dataclass(frozen=True)
class Rendered:
    channel: str
    subject: str
    body: str
    length: SmsLength | None  # SMS only


def check_template_text(text: str) -> str:
    """An error message when `text` is not a valid template with known placeholders, else ''."""
    try:
        nodes = ENGINE.from_string(text).nodelist.get_nodes_by_type(VariableNode)
    except TemplateSyntaxError as error:
        return _("The text is not a valid template: %(error)s") % {"error": error}
    unknown = sorted(
        {
            str(node.filter_expression.var).split(".")[0]
            for node in nodes
            if str(node.filter_expression.var).split(".")[0] not in PLACEHOLDERS
        }
    )
    if unknown:
        return _("Unknown placeholder(s): %(unknown)s. Available: %(known)s.") % {
            "unknown": ", ".join(unknown),
            "known": ", ".join(PLACEHOLDERS),
        }
    return ""


def days_text(days: int) -> str:
    """'1 dzień', '12 dni': Polish counts days in one word for 1 and another for the rest
    (as in 'opóźniona o 1 dzień / o 5 dni')."""
    return f"{days} dzień" if days == 1 else f"{days} dni"


def _date(day: datetime.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _iban(iban: str) -> str:
    """PL61 1090 1014 0000 0712 1981 2874: grouped by four, as printed on Polish invoices."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def placeholder_values(
    *,
    tenant: Tenant,
    payer: Payer,
    invoices: Sequence[Invoice],
    today: datetime.date,
    promise_date: datetime.date | None = None,
) -> dict[str, str]:
    identity = SenderIdentity.objects.for_tenant(tenant).first()
    currencies = {invoice.currency for invoice in invoices} or {"PLN"}
    with override("pl"):
        amount = " + ".join(
            money(sum((i.outstanding_amount for i in invoices if i.currency == c), Decimal(0)), c)
            for c in sorted(currencies)
        )
    earliest = min((invoice.due_date for invoice in invoices), default=None)
    days = max((today - earliest).days, 0) if earliest else 0
    return {
        "payer_name": payer.name,
        "invoice_numbers": ", ".join(invoice.number for invoice in invoices),
        "amount": amount.replace("\u00a0", " "),
        "due_date": _date(earliest),
        "days_overdue": str(days),
        "days_overdue_text": days_text(days),
        "client_name": tenant.name,
        "bank_account": _iban(tenant.iban),
        "consultant_phone": (identity and identity.consultant_phone) or settings.CONSULTANT_PHONE,
        "operator_name": settings.OPERATOR_NAME,
        "promise_date": _date(promise_date),
    }


def template_for(*, tenant: Tenant, code: str, channel: str) -> tuple[str, str, bool]:
    """(subject, body, transliterate) of the client's template for `code` on `channel`, else
    the default; LookupError when neither exists."""
    own = MessageTemplate.objects.for_tenant(tenant).filter(code=code, channel=channel).first()
    if own:
        return own.subject, own.body, own.transliterate
    default = DEFAULT_TEMPLATES.get(code)
    if default is None or default.channel != channel:
        raise LookupError(f"No {channel} template {code!r}.")
    return default.subject, default.body, False


def render_text(
    *, body: str, subject: str, channel: str, values: dict[str, str], transliterated: bool
) -> Rendered:
    context = Context(values, autoescape=False)
    # A name ending in a full stop ("S.A.") before the template's own one makes "S.A..".
    text = SINGLE_DOT.sub(".", ENGINE.from_string(body).render(context).strip())
    title = ENGINE.from_string(subject).render(context).strip() if subject else ""
    if channel == "sms" and transliterated:
        text = transliterate(text)
    return Rendered(
        channel=channel,
        subject=title,
        body=text,
        length=sms_segments(text) if channel == "sms" else None,
    )


def render_message(
    *,
    tenant: Tenant,
    code: str,
    channel: str,
    payer: Payer,
    invoices: Sequence[Invoice],
    today: datetime.date,
    promise_date: datetime.date | None = None,
) -> Rendered:
    """The text of step template `code` for `payer` about `invoices`, ready for the outbox."""
    subject, body, transliterated = template_for(tenant=tenant, code=code, channel=channel)
    values = placeholder_values(
        tenant=tenant, payer=payer, invoices=invoices, today=today, promise_date=promise_date
    )
    return render_text(
        body=body, subject=subject, channel=channel, values=values, transliterated=transliterated
    )
