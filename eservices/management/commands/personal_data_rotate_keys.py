from django.core.management.base import BaseCommand
from django.db import connection, transaction

from eservices.fields import rotate_token
from eservices.models import IdentityVerification, ResidentProfile

ENCRYPTED = {
    ResidentProfile: ["birth_name", "mother_birth_name", "birth_date", "birth_place"],
    IdentityVerification: ["document_number"],
}


class Command(BaseCommand):
    help = "Re-encrypt every protected personal data value with the first FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        total = 0
        for model, fields in ENCRYPTED.items():
            table = model._meta.db_table
            columns = ", ".join(fields)
            assignments = ", ".join(f"{name} = %s" for name in fields)
            # rotate the raw tokens: values are never decoded into Python objects here
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SELECT id, {columns} FROM {table} FOR UPDATE")  # noqa: S608 - fixed names
                for pk, *values in cursor.fetchall():
                    rotated = [rotate_token(value) if value else value for value in values]
                    cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*rotated, pk])  # noqa: S608
                    total += 1
        self.stdout.write(f"Re-encrypted {total} rows.")
