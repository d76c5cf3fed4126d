"""Admin for account managers: clients (tenants), logins, client memberships, operator teams."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tenants.models import Membership, Team, Tenant, User
from tenants.roles import OperatorRole


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
