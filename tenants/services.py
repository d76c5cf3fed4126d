"""Writes about tenants: onboarding a client, adding its users."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tenants.identifiers import normalize_iban, normalize_nip
from tenants.models import KEY_PREFIX, ApiKey, Membership, Tenant, User, hash_key
from tenants.roles import OPERATOR_GROUP_PERMISSIONS, OperatorRole


@transaction.atomic
def create_tenant(
    *,
    name: str,
    nip: str,
    slug: str = "",
    iban: str = "",
    street: str = "",
    postal_code: str = "",
    city: str = "",
    time_zone: str = "Europe/Warsaw",
    language: str = Tenant.Language.POLISH,
    contract_start: datetime.date | None = None,
    contract_end: datetime.date | None = None,
) -> Tenant:
    """Onboard a client. Raises ValidationError per field on a bad or duplicate NIP, IBAN, slug."""
    tenant = Tenant(
        name=name,
        slug=slug or slugify(name)[:60],
        nip=normalize_nip(nip),
        iban=normalize_iban(iban),
        street=street,
        postal_code=postal_code,
        city=city,
        time_zone=time_zone,
        language=language,
        contract_start=contract_start,
        contract_end=contract_end,
    )
    tenant.full_clean()
    tenant.save()
    return tenant


@transaction.atomic
def add_client_user(
    *, tenant: Tenant, email: str, role: str, password: str | None = None, full_name: str = ""
) -> Membership:
    """Give a person access to a client (creating their login if new)."""
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role %(role)r.") % {"role": role}})
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        first, _sep, last = full_name.partition(" ")
        user = User.objects.create_user(email, password, first_name=first, last_name=last)
    membership, created = Membership.objects.get_or_create(
        user=user, tenant=tenant, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def create_operator_user(
    *, email: str, role: OperatorRole, password: str | None = None, full_name: str = ""
) -> User:
    """An agency employee: staff access to admin for account managers and supervisors."""
    first, _sep, last = full_name.partition(" ")
    user = User.objects.create_user(
        email,
        password,
        first_name=first,
        last_name=last,
        is_staff=role in (OperatorRole.ACCOUNT_MANAGER, OperatorRole.SUPERVISOR),
    )
    user.groups.add(Group.objects.get(name=role.value))
    return user


@transaction.atomic
def create_api_key(
    *, tenant: Tenant, name: str, scope: str, created_by: User | None = None
) -> tuple[ApiKey, str]:
    """Make a key; returns it with the raw key, which is shown once and never stored."""
    prefix = secrets.token_hex(4)
    raw_key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        tenant=tenant,
        name=name,
        prefix=prefix,
        key_hash=hash_key(raw_key),
        scope=scope,
        created_by=created_by,
    )
    return api_key, raw_key


def revoke_api_key(*, api_key: ApiKey) -> ApiKey:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_key.refresh_from_db()
    return api_key


def sync_operator_groups(*, using: str = "default", **_signal_kwargs) -> None:
    """Create the operator role groups and give each exactly the permissions in roles.py."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role, dotted_names in OPERATOR_GROUP_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=str(role))
        wanted = Permission.objects.using(using).none()
        for dotted in dotted_names:
            app_label, codename = dotted.split(".")
            wanted |= Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            )
        group.permissions.set(wanted)
