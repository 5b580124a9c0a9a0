"""allauth's forms that Handover changes (ACCOUNT_FORMS). Apart from accounts/forms.py, which allauth
imports while loading its own forms (ACCOUNT_SIGNUP_FORM_CLASS): importing theirs there is a cycle."""

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm

from handover import ratelimits


class AddEmailForm(AllauthAddEmailForm):
    """allauth's, limited per user (handover.ratelimits): each address added emails someone; over the
    limit, the page answers 429."""

    def clean_email(self) -> str:
        email = super().clean_email()
        ratelimits.consume("add_email", user=self.user)
        return email
