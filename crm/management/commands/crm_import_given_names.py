"""Import an official list of registrable Hungarian given names (one name per line)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from crm.names import FEMALE, MALE, given_names_import


class Command(BaseCommand):
    @property
    def help(self):
        # argparse wants plain strings, so the texts are translated when the parser is built
        return gettext(
            "Import an official list of registrable given names: one name per line, UTF-8 or Latin-2. "
            "Names on both the female and the male list become “both”; staff corrections are kept."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=gettext("The list file, or - to read standard input."))
        parser.add_argument(
            "--gender", required=True, help=gettext("The gender of every name on the list: female or male.")
        )

    def handle(self, *args, file: str, gender: str, **options):
        if gender not in (FEMALE, MALE):
            raise CommandError(gettext("Unknown gender “%(gender)s”: use female or male.") % {"gender": gender})
        if file == "-":
            data = sys.stdin.buffer.read()
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(gettext("No such file: %(file)s") % {"file": file})
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(
                    gettext("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror or error}
                ) from error
        result = given_names_import(data, gender=gender)
        self.stdout.write(
            gettext(
                "Given names imported as %(gender)s: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged, %(skipped)d lines skipped (not a name)."
            )
            % {
                "gender": gender,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
            }
        )
