#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into a NEW database and an EMPTY media folder,
# then check it (docs/operations.md, "Backups").
#
#   ops/restore.sh BACKUP_DIR/<timestamp> postgres://user@host:5432/lms_restored /srv/lms/media-restored
#
# Steps, in order (each stops the script on failure):
#   1. checksums of the backup files (SHA256SUMS);
#   2. the target database must not exist: it is created (UTF8, template0);
#   3. pg_restore --exit-on-error, 2 jobs, no owners or grants from the old server;
#   4. ANALYZE (planner statistics are not in a dump);
#   5. the media folder must be empty or absent: media.tar.gz is unpacked into it;
#   6. checks: rows per table equal counts.tsv, every media file matches media.sha256.
# It never touches the database the application uses: point DATABASE_URL and MEDIA_ROOT
# at the restored copies yourself once the checks pass (see the docs for the rest).
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: ops/restore.sh BACKUP_DIR TARGET_DATABASE_URL TARGET_MEDIA_ROOT" >&2
  exit 2
fi
backup="$1"
target="${2/#postgresql:\/\//postgres://}"
media="$3"
PG="${PG_BIN:+$PG_BIN/}"

for f in db.dump counts.tsv media.tar.gz media.sha256 SHA256SUMS; do
  [ -f "$backup/$f" ] || { echo "restore.sh: $backup/$f is missing" >&2; exit 2; }
done
case "$target" in postgres://*/*) ;; *) echo "restore.sh: the target must be postgres://…/dbname" >&2; exit 2 ;; esac
dbname="${target##*/}"
dbname="${dbname%%\?*}"
server="${target%/*}/postgres"
if [ -e "$media" ] && [ -n "$(ls -A "$media" 2>/dev/null)" ]; then
  echo "restore.sh: $media is not empty; restore the media into a new folder" >&2
  exit 2
fi

echo "1/6 checksums" >&2
(cd "$backup" && sha256sum --quiet -c SHA256SUMS)

echo "2/6 create database $dbname" >&2
exists="$(echo "SELECT 1 FROM pg_database WHERE datname = :'name'" \
  | "${PG}psql" -X -q -t -A -v ON_ERROR_STOP=1 -v name="$dbname" "$server")"
if [ "$exists" = "1" ]; then
  echo "restore.sh: database $dbname already exists; restore into a new one" >&2
  exit 2
fi
echo "CREATE DATABASE :\"name\" ENCODING 'UTF8' TEMPLATE template0" \
  | "${PG}psql" -X -q -v ON_ERROR_STOP=1 -v name="$dbname" "$server"

echo "3/6 pg_restore" >&2
"${PG}pg_restore" --exit-on-error --no-owner --no-privileges --jobs=2 --dbname="$target" "$backup/db.dump"

echo "4/6 analyze" >&2
"${PG}psql" -X -q -v ON_ERROR_STOP=1 "$target" -c "ANALYZE" </dev/null

echo "5/6 media into $media" >&2
mkdir -p "$media"
tar -C "$media" -xzf "$backup/media.tar.gz"

echo "6/6 checks" >&2
restored="$(mktemp)"
trap 'rm -f "$restored"' EXIT
"${PG}psql" -X -q -t -A -F $'\t' -v ON_ERROR_STOP=1 "$target" </dev/null -c "
  SELECT c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I',
         n.nspname, c.relname), false, true, '')))[1]::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public' ORDER BY c.relname" >"$restored"
if ! diff -u "$backup/counts.tsv" "$restored" >&2; then
  echo "restore.sh: row counts differ from the backup's (above)" >&2
  exit 1
fi
if [ -s "$backup/media.sha256" ]; then  # sha256sum refuses an empty list
  (cd "$media" && sha256sum --quiet -c "$(cd "$backup" && pwd)/media.sha256")
fi

tables="$(wc -l <"$restored")"
rows="$(awk -F '\t' '{ n += $2 } END { print n + 0 }' "$restored")"
files="$(wc -l <"$backup/media.sha256")"
echo "restore.sh: OK: $tables tables, $rows rows and $files media files, as in the backup" >&2
