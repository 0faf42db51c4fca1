#!/bin/sh
# Back up the portal: the PostgreSQL database (pg_dump custom format) and the media directory
# (uploaded materials, rules, evidence, PDFs), with a SHA256SUMS file to check them by.
#
#   scripts/backup.sh DEST_DIR        -> DEST_DIR/zhengai-YYYYmmdd-HHMMSS/
#
# The database comes from DATABASE_URL, or from DATABASE_HOST/PORT/NAME/USER/PASSWORD (the
# password is handed to pg_dump in PGPASSWORD, never in a URL); media from MEDIA_ROOT.
set -eu

dest_root=${1:?usage: scripts/backup.sh DEST_DIR}
media=${MEDIA_ROOT:?set MEDIA_ROOT to the media directory}
[ -d "$media" ] || { echo "媒体目录不存在：$media" >&2; exit 1; }

if [ -n "${DATABASE_URL:-}" ]; then
    set -- "$DATABASE_URL"
else
    export PGHOST="${DATABASE_HOST:-127.0.0.1}" PGPORT="${DATABASE_PORT:-5432}"
    export PGUSER="${DATABASE_USER:-postgres}" PGPASSWORD="${DATABASE_PASSWORD:-}"
    set -- "${DATABASE_NAME:?set DATABASE_URL or DATABASE_NAME}"
fi

dest="$dest_root/zhengai-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$dest"
pg_dump --format=custom --no-owner --file="$dest/database.dump" --dbname="$1"
tar -C "$media" -czf "$dest/media.tar.gz" .
(cd "$dest" && sha256sum database.dump media.tar.gz > SHA256SUMS)
echo "$dest"
