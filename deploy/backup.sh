#!/bin/sh
# Back up the 老旧小区改造 tracker: the database (pg_dump, custom format) and the uploads (the media
# folder, or the object-store bucket), then keep only the newest BACKUP_KEEP of each. Runbook:
# deploy/README.md, section 11; run nightly by renovation-backup.timer.
#
# usage: deploy/backup.sh [DESTINATION]        (default /var/backups/renovation)
#
# Reads the same settings as the services (/etc/renovation/env):
#   DATABASE_URL (or DATABASE_URL_FILE)
#   uploads on disk:        MEDIA_ROOT and PRIVATE_MEDIA_ROOT (the private files: photos before they are
#                           public, qualification documents, sealed proposals, import workbooks)
#   uploads in a bucket:    AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
#                           AWS_SECRET_ACCESS_KEY (copied with rclone, Debian package `rclone`), and
#                           AWS_PRIVATE_STORAGE_BUCKET_NAME when private files have a bucket of their own
#   BACKUP_KEEP             backups of each kind to keep (default 14: two weeks of nightly runs)
# Writes DESTINATION/db-STAMP.dump, DESTINATION/media-STAMP.tar.gz and private-STAMP.tar.gz (or the
# folders media-STAMP/ and private-STAMP/ for buckets), STAMP = YYYYmmdd-HHMMSS; prints the STAMP on
# success. restore.sh takes it back.
set -eu

dest=${1:-/var/backups/renovation}
keep=${BACKUP_KEEP:-14}
case $keep in '' | *[!0-9]* | 0) echo "BACKUP_KEEP must be a whole number of at least 1" >&2; exit 2 ;; esac
if [ -z "${DATABASE_URL:-}" ] && [ -n "${DATABASE_URL_FILE:-}" ]; then DATABASE_URL=$(cat "$DATABASE_URL_FILE"); fi
: "${DATABASE_URL:?DATABASE_URL is not set: run with the settings of /etc/renovation/env}"
stamp=$(date +%Y%m%d-%H%M%S)
umask 077
mkdir -p "$dest"

# 1. The database first: one consistent snapshot, compressed; pg_restore can read parts of it.
#    Written under a temporary name so that a failed run never leaves a file that looks complete.
pg_dump --format=custom --no-owner --no-privileges --file="$dest/db-$stamp.dump.part" "$DATABASE_URL"
mv "$dest/db-$stamp.dump.part" "$dest/db-$stamp.dump"

# 2. Then the uploads. Uploaded files are never rewritten in place (every upload gets a new name),
#    so a copy taken after the dump holds every file the dump refers to.
if [ -n "${AWS_STORAGE_BUCKET_NAME:-}" ]; then
    command -v rclone >/dev/null || { echo "uploads are in a bucket: install rclone (apt-get install rclone)" >&2; exit 2; }
    : "${AWS_S3_ENDPOINT_URL:?AWS_S3_ENDPOINT_URL is not set}"
    rclone copy --s3-provider Other --s3-env-auth --s3-endpoint "$AWS_S3_ENDPOINT_URL" \
        ":s3:$AWS_STORAGE_BUCKET_NAME" "$dest/media-$stamp.part"
    mv "$dest/media-$stamp.part" "$dest/media-$stamp"
    # Private files share the bucket (prefix private/) unless they have a bucket of their own.
    if [ -n "${AWS_PRIVATE_STORAGE_BUCKET_NAME:-}" ] && [ "$AWS_PRIVATE_STORAGE_BUCKET_NAME" != "$AWS_STORAGE_BUCKET_NAME" ]; then
        rclone copy --s3-provider Other --s3-env-auth --s3-endpoint "$AWS_S3_ENDPOINT_URL" \
            ":s3:$AWS_PRIVATE_STORAGE_BUCKET_NAME" "$dest/private-$stamp.part"
        mv "$dest/private-$stamp.part" "$dest/private-$stamp"
    fi
else
    : "${MEDIA_ROOT:?MEDIA_ROOT is not set}"
    : "${PRIVATE_MEDIA_ROOT:?PRIVATE_MEDIA_ROOT is not set: the private files would be missing from the backup}"
    tar -C "$MEDIA_ROOT" -czf "$dest/media-$stamp.tar.gz.part" .
    mv "$dest/media-$stamp.tar.gz.part" "$dest/media-$stamp.tar.gz"
    mkdir -p "$PRIVATE_MEDIA_ROOT"
    tar -C "$PRIVATE_MEDIA_ROOT" -czf "$dest/private-$stamp.tar.gz.part" .
    mv "$dest/private-$stamp.tar.gz.part" "$dest/private-$stamp.tar.gz"
fi

# 3. Retention: the newest $keep of each kind stay (names sort by time), older ones go.
prune() {
    # shellcheck disable=SC2012
    ls -1d "$dest"/$1 2>/dev/null | sort -r | tail -n "+$((keep + 1))" | while IFS= read -r old; do
        rm -rf -- "$old"
    done
}
prune 'db-[0-9]*-[0-9]*.dump'
prune 'media-[0-9]*-[0-9]*'
prune 'private-[0-9]*-[0-9]*'

echo "$stamp"
