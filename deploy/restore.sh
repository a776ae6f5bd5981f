#!/bin/sh
# Restore a backup made by deploy/backup.sh into an EMPTY database and an empty media folder or
# bucket. Runbook: deploy/README.md, section 11 (restoring in place = drop and recreate the
# database first, with the services stopped).
#
# usage: deploy/restore.sh BACKUP_DIR [STAMP]     (default: the newest backup in BACKUP_DIR)
#
# Reads DATABASE_URL (or DATABASE_URL_FILE) and MEDIA_ROOT + PRIVATE_MEDIA_ROOT, or the AWS_* bucket settings, exactly
# as backup.sh does: point them at the database and folder/bucket to fill.
set -eu

src=${1:?usage: restore.sh BACKUP_DIR [STAMP]}
stamp=${2:-}
if [ -z "$stamp" ]; then
    # shellcheck disable=SC2012
    newest=$(ls -1 "$src"/db-[0-9]*-[0-9]*.dump 2>/dev/null | sort -r | head -n 1)
    [ -n "$newest" ] || { echo "no db-*.dump in $src" >&2; exit 2; }
    stamp=$(basename "$newest" .dump); stamp=${stamp#db-}
fi
if [ -z "${DATABASE_URL:-}" ] && [ -n "${DATABASE_URL_FILE:-}" ]; then DATABASE_URL=$(cat "$DATABASE_URL_FILE"); fi
: "${DATABASE_URL:?DATABASE_URL is not set: the (empty) database to restore into}"
[ -f "$src/db-$stamp.dump" ] || { echo "$src/db-$stamp.dump not found" >&2; exit 2; }

# All or nothing: one transaction, stop at the first error (a non-empty database is an error).
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$DATABASE_URL" "$src/db-$stamp.dump"

if [ -n "${AWS_STORAGE_BUCKET_NAME:-}" ]; then
    command -v rclone >/dev/null || { echo "uploads go to a bucket: install rclone (apt-get install rclone)" >&2; exit 2; }
    : "${AWS_S3_ENDPOINT_URL:?AWS_S3_ENDPOINT_URL is not set}"
    [ -d "$src/media-$stamp" ] || { echo "$src/media-$stamp/ not found" >&2; exit 2; }
    # A copy does not carry ACLs: public files get the public ACL again, everything else stays private.
    public=${AWS_PUBLIC_LOCATION:-public}
    s3="--s3-provider Other --s3-env-auth --s3-endpoint $AWS_S3_ENDPOINT_URL"
    if [ -d "$src/media-$stamp/$public" ]; then
        # shellcheck disable=SC2086
        rclone copy $s3 --s3-acl "${AWS_PUBLIC_DEFAULT_ACL:-public-read}" \
            "$src/media-$stamp/$public" ":s3:$AWS_STORAGE_BUCKET_NAME/$public"
    fi
    # shellcheck disable=SC2086
    rclone copy $s3 --s3-acl private --exclude "/$public/**" "$src/media-$stamp" ":s3:$AWS_STORAGE_BUCKET_NAME"
    if [ -d "$src/private-$stamp" ]; then
        : "${AWS_PRIVATE_STORAGE_BUCKET_NAME:?the backup has a private bucket: set AWS_PRIVATE_STORAGE_BUCKET_NAME}"
        # shellcheck disable=SC2086
        rclone copy $s3 --s3-acl private "$src/private-$stamp" ":s3:$AWS_PRIVATE_STORAGE_BUCKET_NAME"
    fi
else
    : "${MEDIA_ROOT:?MEDIA_ROOT is not set}"
    : "${PRIVATE_MEDIA_ROOT:?PRIVATE_MEDIA_ROOT is not set}"
    [ -f "$src/media-$stamp.tar.gz" ] || { echo "$src/media-$stamp.tar.gz not found" >&2; exit 2; }
    mkdir -p "$MEDIA_ROOT"
    tar -C "$MEDIA_ROOT" -xzf "$src/media-$stamp.tar.gz"
    if [ -f "$src/private-$stamp.tar.gz" ]; then
        mkdir -p "$PRIVATE_MEDIA_ROOT"
        chmod 0750 "$PRIVATE_MEDIA_ROOT"
        tar -C "$PRIVATE_MEDIA_ROOT" -xzf "$src/private-$stamp.tar.gz"
    else
        echo "warning: $src/private-$stamp.tar.gz not found (a backup from before private storage?)" >&2
    fi
fi
echo "restored $stamp"
