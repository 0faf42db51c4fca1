#!/bin/sh
# Restore a backup made by scripts/backup.sh into an EMPTY database and media directory.
#
#   scripts/restore.sh BACKUP_DIR
#
# Same variables as backup.sh: DATABASE_URL (or DATABASE_HOST/PORT/NAME/USER/PASSWORD) names
# the target database, which must exist and be empty (createdb); MEDIA_ROOT the target media
# directory. The checksums are verified first; any error stops the restore.
set -eu

src=${1:?usage: scripts/restore.sh BACKUP_DIR}
media=${MEDIA_ROOT:?set MEDIA_ROOT to the media directory}
(cd "$src" && sha256sum --check --quiet SHA256SUMS) || { echo "备份文件校验失败：$src" >&2; exit 1; }

if [ -n "${DATABASE_URL:-}" ]; then
    set -- "$DATABASE_URL"
else
    export PGHOST="${DATABASE_HOST:-127.0.0.1}" PGPORT="${DATABASE_PORT:-5432}"
    export PGUSER="${DATABASE_USER:-postgres}" PGPASSWORD="${DATABASE_PASSWORD:-}"
    set -- "${DATABASE_NAME:?set DATABASE_URL or DATABASE_NAME}"
fi

pg_restore --no-owner --exit-on-error --single-transaction --dbname="$1" "$src/database.dump"
mkdir -p "$media"
tar -C "$media" -xzf "$src/media.tar.gz"
echo "restored $src"
