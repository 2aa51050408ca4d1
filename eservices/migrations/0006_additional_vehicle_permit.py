from django.db import migrations


def add_service(apps, schema_editor):
    ServiceType = apps.get_model("eservices", "ServiceType")
    ServiceType.objects.update_or_create(
        code="parking_permit_additional",
        defaults={
            "name_hu": "Lakossági várakozási hozzájárulás további gépjárműre",
            "name_en": "Residential parking permit for a further vehicle",
            "rules_module": "eservices.servicetypes.additional_vehicle_permit",
            "fee_huf": 24000,
            "filing_classification": "B/12",
            "validity_days": 365,
        },
    )


def remove_service(apps, schema_editor):
    apps.get_model("eservices", "ServiceType").objects.filter(
        code="parking_permit_additional", cases__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("eservices", "0005_case_payment_step")]

    operations = [migrations.RunPython(add_service, remove_service)]
