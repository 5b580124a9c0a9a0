from allauth.account.adapter import DefaultAccountAdapter

from handover.organizations.services import create_organization


class AccountAdapter(DefaultAccountAdapter):
    """Signing up alone creates an Organization in the user's name, with them as legal representative."""

    def save_user(self, request, user, form, commit=True):
        user.name = form.cleaned_data.get("name", "")
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            create_organization(
                actor=user, name=form.cleaned_data.get("organization_name") or user.display_name
            )
        return user
