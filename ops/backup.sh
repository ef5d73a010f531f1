#!/usr/bin/env bash
# Back up the database and the uploaded files (docs/operations.md, "Backups").
#
#   DATABASE_URL=postgres://user@host:5432/lms MEDIA_ROOT=/srv/lms/media ops/backup.sh [BACKUP_DIR]
#
# Writes BACKUP_DIR/<UTC timestamp>/ (BACKUP_DIR defaults to ./backups):
#   db.dump        pg_dump, custom format (compressed; pg_restore can restore it in parallel)
#   counts.tsv     rows per table, counted in the same snapshot as the dump
#   media.tar.gz   MEDIA_ROOT, taken after the dump (every file a dumped row names exists)
#   media.sha256   one checksum per media file
#   SHA256SUMS     checksums of the three files above
# and prints the directory. Safe while the site runs: the dump and the counts read one
# snapshot; nothing is locked beyond pg_dump's ACCESS SHARE locks.
# PG_BIN selects the PostgreSQL client binaries (their major version must be the server's
# or newer).
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL (postgres://…)}"
MEDIA_ROOT="${MEDIA_ROOT:-media}"
BACKUP_DIR="${1:-${BACKUP_DIR:-backups}}"
PG="${PG_BIN:+$PG_BIN/}"
# Django accepts postgresql:// and postgres://; libpq too, but not pgbouncer-style extras.
DB_URL="${DATABASE_URL/#postgresql:\/\//postgres://}"

case "$DB_URL" in
  postgres://*) ;;
  *) echo "backup.sh: DATABASE_URL is not a PostgreSQL URL (SQLite: copy db.sqlite3 and media/ while stopped)" >&2
     exit 2 ;;
esac
[ -d "$MEDIA_ROOT" ] || { echo "backup.sh: MEDIA_ROOT $MEDIA_ROOT is not a directory" >&2; exit 2; }

umask 077  # personal data: readable by the backup user only
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$BACKUP_DIR/$stamp"
mkdir -p "$out"

# One REPEATABLE READ transaction exports its snapshot; pg_dump dumps exactly that
# snapshot and the counts are read in it, so counts.tsv describes db.dump even while the
# site keeps writing.
coproc PSQL { "${PG}psql" -X -q -t -A -F $'\t' -v ON_ERROR_STOP=1 "$DB_URL"; }
exec {to_psql}>&"${PSQL[1]}" {from_psql}<&"${PSQL[0]}"
ask() {  # send SQL, read the answer lines until the end marker
  printf '%s\nSELECT %s;\n' "$1" "'--end--'" >&"$to_psql"
  local line
  while IFS= read -r -u "$from_psql" line; do
    [ "$line" = "--end--" ] && return 0
    printf '%s\n' "$line"
  done
  echo "backup.sh: psql ended early" >&2
  return 1
}
snapshot="$(ask "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();")"
[ -n "$snapshot" ] || { echo "backup.sh: could not export a snapshot" >&2; exit 1; }

"${PG}pg_dump" --format=custom --no-owner --no-privileges --snapshot="$snapshot" \
  --file="$out/db.dump" "$DB_URL"

ask "SELECT c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I',
       n.nspname, c.relname), false, true, '')))[1]::text
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public' ORDER BY c.relname;" >"$out/counts.tsv"
ask "COMMIT;" >/dev/null
printf '\\q\n' >&"$to_psql"
exec {to_psql}>&- {from_psql}<&-
wait "$PSQL_PID" 2>/dev/null || true

# Media after the database: a file uploaded meanwhile is extra (harmless), never missing.
tar -C "$MEDIA_ROOT" -czf "$out/media.tar.gz" .
(cd "$MEDIA_ROOT" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) >"$out/media.sha256"
(cd "$out" && sha256sum db.dump counts.tsv media.tar.gz media.sha256 >SHA256SUMS)

tables="$(wc -l <"$out/counts.tsv")"
files="$(wc -l <"$out/media.sha256")"
echo "backup.sh: $tables tables, $files media files, $(du -sh "$out" | cut -f1) in $out" >&2
echo "$out"
