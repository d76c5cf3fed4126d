"""Admin for account managers: clients (tenants), logins, client memberships, operator teams,
API keys."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tenants.models import KEY_PREFIX, ApiKey, Membership, Team, Tenant, User
from tenants.roles import OperatorRole
from tenants.services import create_api_key, revoke_api_key


def operator_groups() -> QuerySet[Group]:
    """The groups an account manager may hand out: the operator roles, nothing broader."""
    return Group.objects.filter(name__in=OperatorRole.values).order_by("name")


class UniqueEmailMixin:
    """Logins are e-mail addresses, stored lower-case and unique whatever the case typed."""

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip().lower()
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("A login with the e-mail address %(email)s already exists."),
                code="unique",
                params={"email": email},
            )
        return email


class UserAddForm(UniqueEmailMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "first_name", "last_name")
        field_classes: dict[str, type[forms.Field]] = {}


class UserEditForm(UniqueEmailMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes: dict[str, type[forms.Field]] = {}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("email", "name", "is_staff", "group_names", "last_login")
    list_filter = ("is_staff", "groups", "is_active")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, user: User) -> str:
        return user.get_full_name()

    @admin.display(description=_("groups"))
    def group_names(self, user: User) -> str:
        return ", ".join(sorted(group.name for group in user.groups.all()))

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        # Only a superuser makes superusers or hands out single permissions; otherwise an account
        # manager could grant themselves everything.
        if request.user.is_superuser:
            return self.readonly_fields
        return (*self.readonly_fields, "is_superuser", "user_permissions")

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = operator_groups()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # A superuser's login (and password) is changed by a superuser only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user")


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "nip", "city", "status", "contract_start", "contract_end")
    list_filter = ("status", "language")
    search_fields = ("name", "nip", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "nip", "status")}),
        (_("Address"), {"fields": ("street", "postal_code", "city", "country")}),
        (
            _("Contract"),
            {"fields": ("contract_start", "contract_end", "iban", "default_payment_term_days")},
        ),
        (_("Locale"), {"fields": ("time_zone", "language", "created_at")}),
    )
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user_email", "tenant", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "tenant__name")
    list_select_related = ("user", "tenant")
    autocomplete_fields = ("user", "tenant")
    readonly_fields = ("created_at",)

    @admin.display(description=_("e-mail"), ordering="user__email")
    def user_email(self, membership: Membership) -> str:
        return membership.user.email


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ("name", "members", "clients")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Teams are operator staff; current members stay listed so saving never drops one silently.
        staff = Q(groups__name__in=OperatorRole.values)
        if self.instance.pk:
            staff |= Q(teams=self.instance)
        self.fields["members"].queryset = (
            User.objects.filter(staff).distinct().order_by("last_name", "email")
        )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ("name", "member_count", "client_count")
    search_fields = ("name",)
    filter_horizontal = ("members", "clients")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=Count("members", distinct=True),
                client_count=Count("clients", distinct=True),
            )
        )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, team: Team) -> int:
        return team.member_count

    @admin.display(description=_("clients"), ordering="client_count")
    def client_count(self, team: Team) -> int:
        return team.client_count


class ApiKeyStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("active", _("Active")), ("revoked", _("Revoked"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made by `create_api_key` (the raw key shown once), revoked, never deleted.

    The hash is not a field of any form here; keeping revoked keys keeps the record of which key
    sent what.
    """

    list_display = (
        "name",
        "tenant",
        "masked_key",
        "scope",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (ApiKeyStatusFilter, "scope")
    search_fields = ("name", "prefix", "tenant__name", "tenant__slug", "tenant__nip")
    list_select_related = ("tenant",)
    autocomplete_fields = ("tenant",)
    actions = ("revoke_selected",)
    add_fields = ("tenant", "name", "scope")
    # The hash (key_hash) is in none of these: it is neither shown nor editable.
    change_fields = (
        *add_fields,
        "masked_key",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        return self.change_fields if obj else self.add_fields

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple:
        # A key stays with its client; only its name and scope can change after creation.
        if obj is None:
            return ()
        return tuple(field for field in self.change_fields if field not in ("name", "scope"))

    @admin.display(description=_("key"), ordering="prefix")
    def masked_key(self, api_key: ApiKey) -> str:
        return f"{KEY_PREFIX}_{api_key.prefix}_…"

    def save_model(self, request: HttpRequest, obj: ApiKey, form: forms.Form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        api_key, raw_key = create_api_key(
            tenant=obj.tenant, name=obj.name, scope=obj.scope, created_by=request.user
        )
        # The admin goes on with `obj` (log entry, redirect): make it the key just created.
        obj.pk = api_key.pk
        obj.refresh_from_db()
        obj._state.adding = False
        messages.success(
            request,
            _(
                "The new key of %(tenant)s is %(key)s — copy it now and pass it on securely: "
                "it is shown only this once."
            )
            % {"tenant": obj.tenant, "key": raw_key},
        )

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False

    @admin.action(description=_("Revoke selected keys"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            revoke_api_key(api_key=api_key)
            self.log_change(request, api_key, _("Revoked."))
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
