#!/bin/sh
# Nightly backup of the database (pg_dump custom format) and the media volume.
# Run from the directory that holds docker-compose.yml, with the stack up:
#
#   deploy/backup.sh /var/backups/eportal 14     # target folder, days to keep (default 14)
#
# Secrets (.env) are NOT copied: keep them in the secret store, apart from these files.
set -eu

target=${1:?usage: deploy/backup.sh TARGET_DIR [DAYS_TO_KEEP]}
keep_days=${2:-14}
stamp=$(date +%Y-%m-%dT%H%M)

mkdir -p "$target"
umask 077

db="$target/eportal-$stamp.dump"
docker compose exec -T postgres pg_dump -U eportal -d eportal -Fc > "$db.partial"
mv "$db.partial" "$db"

media="$target/media-$stamp.tar.gz"
docker compose exec -T web tar -C /data -czf - media > "$media.partial"
mv "$media.partial" "$media"

# a dump that pg_restore cannot list is not a backup
docker compose exec -T postgres pg_restore --list < "$db" > /dev/null

find "$target" -maxdepth 1 -type f \( -name 'eportal-*.dump' -o -name 'media-*.tar.gz' \) \
    -mtime +"$keep_days" -delete

echo "backup ok: $db ($(du -h "$db" | cut -f1)), $media ($(du -h "$media" | cut -f1))"
