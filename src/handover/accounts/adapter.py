from allauth.account.adapter import DefaultAccountAdapter

from handover.accounts.services import complete_signup


class AccountAdapter(DefaultAccountAdapter):
    """Signing up alone creates an Organization in the user's name, with them as legal representative."""

    def save_user(self, request, user, form, commit=True):
        user.name = form.cleaned_data.get("name", "")
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            complete_signup(
                user=user,
                organization_name=form.cleaned_data.get("organization_name") or user.display_name,
            )
        return user
