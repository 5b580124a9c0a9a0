"""Products sort by a natural key of their names (SPEC §6.1: `bulk-2` before `bulk-10`)."""

import handover.products.models
from django.db import migrations, models


def fill_keys(apps, schema_editor):
    """The key of every existing product, in batches (new ones get theirs when saved)."""
    Product = apps.get_model("products", "Product")
    batch = []
    for product in Product.objects.only("id", "name").iterator(chunk_size=2000):
        product.name_key = handover.products.models.natural_key(product.name)
        batch.append(product)
        if len(batch) == 2000:
            Product.objects.bulk_update(batch, ["name_key"])
            batch = []
    Product.objects.bulk_update(batch, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0002_membership_last_used_at"),
        ("products", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="name_key",
            field=handover.products.models.NaturalKeyField(source="name"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["organization", "name_key", "id"], name="product_org_natural_name"),
        ),
    ]
