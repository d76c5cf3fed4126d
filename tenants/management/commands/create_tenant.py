"""`manage.py create_tenant`: onboard a client (and optionally its owner's login) from the shell.

    python manage.py create_tenant --slug kowalczyk --name "Hurtownia Kowalczyk Sp. z o.o." \\
        --nip 779-241-38-55 --iban "PL61 1090 1014 0000 0712 1981 2874" --city Poznań \\
        --owner-email wlasciciel@kowalczyk.pl --owner-password '…'

A bad or duplicate NIP, IBAN or slug ends with one line naming the field and the reason.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.core.validators import validate_email
from django.db import transaction

from tenants.models import Membership, Tenant, User
from tenants.services import add_client_user, create_tenant


def describe_errors(error: ValidationError) -> str:
    """'nip: NIP 1234567890 has a wrong check digit.; slug: …' — one line, field by field."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for field, messages in error.message_dict.items():
        text = " ".join(messages)
        parts.append(text if field == NON_FIELD_ERRORS else f"{field}: {text}")
    return "; ".join(parts)


class Command(BaseCommand):
    help = "Onboard a client (tenant) by NIP, optionally with its owner's login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The client's company name.")
        parser.add_argument("--nip", required=True, help="The client's NIP (dashes, PL allowed).")
        parser.add_argument("--slug", default="", help="Short id in URLs (default: from name).")
        parser.add_argument("--iban", default="", help="The client's bank account (IBAN).")
        parser.add_argument("--street", default="", help="Street and number.")
        parser.add_argument("--postal-code", default="", help="Postal code, e.g. 00-950.")
        parser.add_argument("--city", default="")
        parser.add_argument("--time-zone", default="Europe/Warsaw")
        parser.add_argument(
            "--language", default=Tenant.Language.POLISH, choices=Tenant.Language.values
        )
        parser.add_argument("--owner-email", default="", help="Give this person the owner role.")
        parser.add_argument(
            "--owner-password",
            default="",
            help="The owner's password (without it a new owner sets one by password reset).",
        )
        parser.add_argument("--owner-name", default="", help="The owner's full name.")

    # Messages stay in English whatever LANGUAGE_CODE says: this is an operator's shell tool.
    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        owner_email = options["owner_email"].strip()
        if owner_email:
            try:
                validate_email(owner_email)
            except ValidationError as error:
                raise CommandError(f"owner-email: {describe_errors(error)}") from None
        elif options["owner_password"]:
            raise CommandError("owner-password: give --owner-email too; it is whose password.")
        owner_existed = (
            bool(owner_email) and User.objects.filter(email__iexact=owner_email).exists()
        )
        try:
            with transaction.atomic():
                tenant = create_tenant(
                    name=options["name"],
                    nip=options["nip"],
                    slug=options["slug"],
                    iban=options["iban"],
                    street=options["street"],
                    postal_code=options["postal_code"],
                    city=options["city"],
                    time_zone=options["time_zone"],
                    language=options["language"],
                )
                membership = None
                if owner_email:
                    membership = add_client_user(
                        tenant=tenant,
                        email=owner_email,
                        role=Membership.Role.OWNER,
                        password=options["owner_password"] or None,
                        full_name=options["owner_name"],
                    )
        except ValidationError as error:
            raise CommandError(describe_errors(error)) from None
        self._report(tenant, membership, owner_existed=owner_existed, options=options)

    def _report(
        self,
        tenant: Tenant,
        membership: Membership | None,
        *,
        owner_existed: bool,
        options: dict[str, Any],
    ) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Created client {tenant.name!r} (slug {tenant.slug}, id {tenant.pk})."
            )
        )
        self.stdout.write(
            f"  NIP {tenant.nip}, IBAN {tenant.iban or '—'}, time zone {tenant.time_zone}"
        )
        if membership is None:
            return
        email = membership.user.email
        if owner_existed:
            self.stdout.write(f"  Owner: existing login {email} (its password was left as it was).")
        elif options["owner_password"]:
            self.stdout.write(f"  Owner: new login {email} with the given password.")
        else:
            self.stdout.write(
                f"  Owner: new login {email} without a password (use password reset)."
            )
