#!/usr/bin/env bash
# Regenerates seed-database/ (README.md in this folder): builds the product at COMMIT (default: the commit that made
# the committed fixture) in a temporary worktree, imports both seed chapters into a throwaway PostgreSQL cluster with
# the product's own CLI, publishes the interim edition of each cycle, dumps the `compliance` schema (DDL and data,
# without Wolverine's tables; pg_dump's random \restrict key lines are dropped, so the dump restores with any psql) and
# captures what the CLI of that commit answers, one file per command of commands.tsv.
#   tests/ComplianceEvents.IntegrationTests/Fixtures/regenerate.sh [COMMIT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse "${1:-1e3c452}")
out="$here/seed-database"

bin=""
for d in "${PG_BINDIR:-}" "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
  [ -n "$d" ] && [ -x "$d/initdb" ] && { bin=$d; break; }
done
[ -n "$bin" ] || { echo "no PostgreSQL server binaries (initdb) found; set PG_BINDIR" >&2; exit 2; }

work=$(mktemp -d)
chmod 755 "$work"
as_pg=()
[ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
cleanup() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  git -C "$repo" worktree remove --force "$work/src" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "building $commit" >&2
git -C "$repo" worktree add --detach "$work/src" "$commit" >/dev/null 2>&1
dotnet build "$work/src/src/ComplianceEvents" -c Release -o "$work/app" -v q -nologo >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$work/pg" "$work/log"
[ "$(id -u)" -eq 0 ] && chown postgres "$work/pg" "$work/log"
"${as_pg[@]}" "$bin/initdb" -D "$work/pg" -U postgres -A trust --locale=C.UTF-8 -E UTF8 >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$work/pg" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" -w -l "$work/log/pg.log" start >/dev/null
export ConnectionStrings__Marten="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
export TZ=UTC
cli() { (cd "$work/src" && dotnet "$work/app/ComplianceEvents.dll" "$@"); }
sql() { "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XAtq -c "$1"; }

cli import data/seeds/2017-taormina.json >/dev/null
cli import data/seeds/2024-apulia.json >/dev/null
cli publish 2017-taormina --kind interim --user fixture >/dev/null
cli publish 2024-apulia --kind interim --user fixture >/dev/null

rm -rf "$out"
mkdir -p "$out/expected"
# The as-of point: the first approval of the 2024 cycle, so the report then differs from the report now.
as_of=$(sql "select min(seq_id) from compliance.mt_events where type = 'score_approved' and stream_id like 'assessment:2024-apulia:%'")
{
  for cycle in 2017-taormina 2024-apulia; do
    for format in md html csv json; do
      printf '%s\t%s\n' "$cycle-interim-edition-1.$format" "report $cycle --kind interim --edition 1 --format $format"
    done
    printf '%s\t%s\n' "$cycle-interim-now.md" "report $cycle --kind interim"
    printf '%s\t%s\n' "$cycle-interim-now.json" "report $cycle --kind interim --format json"
    printf '%s\t%s\n' "$cycle-scores.txt" "scores $cycle"
    printf '%s\t%s\n' "$cycle-scores-interim.txt" "scores $cycle --kind interim"
    printf '%s\t%s\n' "$cycle-verify-interim-1.txt" "verify $cycle --kind interim --edition 1"
  done
  printf '%s\t%s\n' "2024-apulia-now.md" "report 2024-apulia"
  printf '%s\t%s\n' "2024-apulia-as-of-$as_of.md" "report 2024-apulia --kind interim --as-of-sequence $as_of"
  printf '%s\t%s\n' "2024-apulia-audit-19-JP.txt" "audit 2024-apulia 19 JP"
  printf '%s\t%s\n' "2024-apulia-explain-19-EU.txt" "explain 2024-apulia 19 EU --from 0 --to interim:1"
  printf '%s\t%s\n' "2024-apulia-stale.txt" "stale 2024-apulia"
} > "$out/commands.tsv"

while IFS=$'\t' read -r name args; do
  # shellcheck disable=SC2086 # the arguments of commands.tsv are split on spaces on purpose
  cli $args > "$out/expected/$name"
done < "$out/commands.tsv"

"$bin/pg_dump" -h 127.0.0.1 -p "$port" -U postgres -d postgres --schema=compliance --exclude-table='compliance.wolverine*' \
  --no-owner --no-privileges --no-comments \
  | sed -E '/^\\(un)?restrict /d' | gzip -9n > "$out/database.sql.gz"
sql "select count(*) || ' events, ' || max(seq_id) || ' last sequence' from compliance.mt_events" > "$out/made-by.txt"
echo "commit $commit" >> "$out/made-by.txt"
echo "wrote $out ($(du -sh "$out" | cut -f1))" >&2
