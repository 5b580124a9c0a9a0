from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import transaction

from handover.accounts.models import ApiToken, User
from handover.accounts.services import CredentialChange, revoke_other_credentials


class PasswordChangeForm(AdminPasswordChangeForm):
    """A password an operator sets ends the user's other credentials, as the user's own change does."""

    @transaction.atomic  # the new password and the revocation, or neither
    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit:
            revoke_other_credentials(user=user, change=CredentialChange.PASSWORD)
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = PasswordChangeForm
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "language"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix", "user__email"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]
    list_select_related = ["user"]
