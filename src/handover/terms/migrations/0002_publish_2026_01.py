"""Publish version 2026-01 of the general conditions, so that a fresh database always has a version
in force (starting and receiving transfers require one)."""

from django.db import migrations
from django.utils import timezone

VERSION = "2026-01"
TITLE = "General conditions of use of the Manager"
_WRAPPED = """\
These general conditions govern the use of the Manager, the customer interface through which an
Organization holds and manages the products it subscribes to with the provider. They apply in
addition to the specific conditions of each product. By accepting them, you declare that you are
authorised to act for the Organization concerned.

1. Organizations and roles

1.1 Every product is held by exactly one Organization at any time. The Organization is the
provider's contracting party for that product: it is billed for it and answers for its use.

1.2 Each Organization has at least one legal representative. Legal representatives and
administrators may manage products, members, work teams and transfers; collaborators may only use
the products to which they were given access.

1.3 You keep your credentials secret. Every action taken with your account or with one of your
personal API tokens is deemed to have been taken by you.

2. Transfer of products between Organizations

2.1 A legal representative or an administrator may transfer one or several products of their
Organization to another Organization. The transfer moves the management and the billing of the
products from the date it is completed; it does not change the holder (registrant) of a domain name.

2.2 The service is not interrupted: the product keeps running, with its data and configuration,
during and after the transfer.

2.3 Invoices are not transferred. Invoices issued before the transfer, including those naming the
transferred products, remain with the Organization to which they were issued, which remains liable
for them. The receiving Organization is billed for the products from the next renewal onwards.

2.4 The users who had access to a transferred product lose that access, as do the work teams of the
transferring Organization, unless the product's own conditions provide otherwise. For kDrive, the
users with access are added to the receiving Organization as collaborators and keep their use of the
drive; their management rights are not kept.

2.5 Some products cannot be transferred: kSuite and my kSuite; Jelastic Cloud follows its own
procedure. A suspended or expired product, or a product already part of a pending transfer, cannot
be put into a new transfer.

2.6 A transfer link gives whoever holds it the power to receive the products into an Organization they
administer. Share it only with the intended recipient. The link can be used once, expires after the
period shown when it is created, and can be replaced or cancelled at any time while the transfer is
pending. A link sent to an email address can, unless you decide otherwise, only be used by a user who
signs in with that address.

2.7 The recipient must be a legal representative or an administrator of the receiving Organization
and must accept these general conditions. Receiving is all or nothing: either every product of the
transfer moves, or none does.

2.8 Both Organizations are informed when a transfer is completed, and a record of it is kept in the
audit log of each.

3. Records

3.1 The provider records each acceptance of these general conditions (who, for which Organization,
which version, when, from which IP address and at which step) and keeps an audit log of the actions
taken in each Organization. These records serve as evidence between the parties.

4. Changes

4.1 The provider may amend these general conditions. The new version applies to actions taken after
its publication; the version in force is always available in the Manager.
"""
# One line per paragraph, so that the text reflows to any width (pages, the terms box, emails).
BODY = "\n\n".join(" ".join(paragraph.split()) for paragraph in _WRAPPED.strip().split("\n\n"))


def publish(apps, schema_editor):
    GeneralConditions = apps.get_model("terms", "GeneralConditions")
    GeneralConditions.objects.get_or_create(
        version=VERSION, defaults={"title": TITLE, "body": BODY, "published_at": timezone.now()}
    )


class Migration(migrations.Migration):
    dependencies = [("terms", "0001_initial")]

    # Kept on rollback: acceptances may already refer to this version.
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
