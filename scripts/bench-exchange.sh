#!/usr/bin/env bash
# Record exchange throughput (issue 15): the whole record of the city data (100,000 cadres) exported
# (XLSX workbook and ZIP of CSVs) from one database and imported into an empty one of the same city,
# next to the engine's own loader writing the same CSV rows into plain tables in the same run
# (`sqlite3 .import`, or `psql \copy` for PostgreSQL).
#
#   cargo build --release
#   scripts/bench-exchange.sh                       # SQLite
#   BACKEND=postgres scripts/bench-exchange.sh      # PostgreSQL (127.0.0.1:5432, trust auth)
#
# The source database is generated once (`generate --scale city --seed 7 --as-of 2026-12-01`) and kept
# in $WORK (SQLite) or the database bench_x15_src (PostgreSQL). The import limits are raised for the
# run (a city's completions sheet holds about a million rows; the defaults bound what one upload holds).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=target/release/cadre-training
WORK=${WORK:-/tmp/bench-exchange}
BACKEND=${BACKEND:-sqlite}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
export ADMIN_PASSWORD=bench-admin-password JWT_SECRET=bench-secret-0123456789abcdef
export ROCKET_IMPORT_MAX_BYTES=2147483648 ROCKET_IMPORT_MAX_UNZIPPED_BYTES=4294967296
export ROCKET_IMPORT_MAX_ROWS=3000000 ROCKET_IMPORT_MAX_CELLS=40000000 ROCKET_LOG_LEVEL=critical
mkdir -p "$WORK"
[[ -x $BIN ]] || { echo "build first: cargo build --release"; exit 1; }

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

if [[ $BACKEND == sqlite ]]; then
  SRC="sqlite://$WORK/city.db"
  DST="sqlite://$WORK/empty.db"
  [[ -f $WORK/city.db ]] || DATABASE_URL=$SRC $BIN generate --scale city --seed 7 --as-of 2026-12-01
  rm -f "$WORK"/empty.db*
else
  SRC="$PG/bench_x15_src"
  DST="$PG/bench_x15_dst"
  if ! psql "$PG/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = 'bench_x15_src'" | grep -q 1; then
    psql "$PG/postgres" -qc "CREATE DATABASE bench_x15_src"
    DATABASE_URL=$SRC $BIN generate --scale city --seed 7 --as-of 2026-12-01
  fi
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS bench_x15_dst" -c "CREATE DATABASE bench_x15_dst"
fi

# The empty database: the same city's units (2024 tree, 2025 file, successor table), no cadre.
DATABASE_URL=$DST $BIN import-units data/units/admin-units-2024.csv --root 79 >/dev/null
DATABASE_URL=$DST $BIN import-units data/units/admin-units-2025.csv --root 79 --retire-missing \
  --effective 2025-07-01 >/dev/null
DATABASE_URL=$DST $BIN import-successors data/units/unit-successors-2025-hcmc.csv >/dev/null

serve() { # url port
  DATABASE_URL=$1 ROCKET_PORT=$2 ROCKET_DATA_DIR="$WORK/data-$2" $BIN >"$WORK/server-$2.log" 2>&1 &
  echo $! >"$WORK/server-$2.pid"
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$2/health" >/dev/null && return; sleep 0.2; done
  echo "server on $2 did not start"; cat "$WORK/server-$2.log"; exit 1
}
token() {
  curl -fs -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "http://127.0.0.1:$1/api/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
trap 'kill $(cat "$WORK"/server-*.pid 2>/dev/null) 2>/dev/null || true' EXIT
serve "$SRC" 8801
serve "$DST" 8802
T1=$(token 8801)
T2=$(token 8802)

t=$(now); curl -fs -H "Authorization: Bearer $T1" -o "$WORK/record.zip" \
  "http://127.0.0.1:8801/api/exchange/record?format=zip"; zip_s=$(secs "$t" "$(now)")
t=$(now); curl -fs -H "Authorization: Bearer $T1" -o "$WORK/record.xlsx" \
  "http://127.0.0.1:8801/api/exchange/record?format=xlsx"; xlsx_s=$(secs "$t" "$(now)")
rm -rf "$WORK/csv"; mkdir -p "$WORK/csv"
python3 - "$WORK/record.zip" "$WORK/csv" <<'EOF'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
EOF
ROWS=0
declare -A PART_ROWS
for f in can-bo qua-trinh-cong-tac chuc-danh quy-hoach dao-tao trinh-do; do
  n=$(($(wc -l <"$WORK/csv/$f.csv") - 1)); PART_ROWS[$f]=$n; ROWS=$((ROWS + n))
done

t=$(now)
curl -fs -H "Authorization: Bearer $T2" --data-binary @"$WORK/record.zip" -o "$WORK/import.json" \
  "http://127.0.0.1:8802/api/exchange/record?file_name=record.zip"
import_s=$(secs "$t" "$(now)")
t=$(now); curl -fs -H "Authorization: Bearer $T2" -o "$WORK/again.zip" \
  "http://127.0.0.1:8802/api/exchange/record?format=zip"; again_s=$(secs "$t" "$(now)")
same=$(cmp -s "$WORK/record.zip" "$WORK/again.zip" && echo "same bytes" || echo "DIFFERENT BYTES")

# The yardstick: the same CSV rows into plain tables (text columns) by the engine's own loader.
cols() { head -1 "$1" | python3 -c 'import sys; n=len(sys.stdin.read().split(",")); print(", ".join(f"c{i} TEXT" for i in range(n)))'; }
if [[ $BACKEND == sqlite ]]; then
  rm -f "$WORK/yard.db"
  script=""
  for f in can-bo qua-trinh-cong-tac chuc-danh quy-hoach dao-tao trinh-do; do
    t_=${f//-/_}
    script+="CREATE TABLE $t_ ($(cols "$WORK/csv/$f.csv"));"$'\n'
    script+=".import --csv --skip 1 $WORK/csv/$f.csv $t_"$'\n'
  done
  t=$(now); printf '%s' "$script" | sqlite3 "$WORK/yard.db"; yard_s=$(secs "$t" "$(now)")
  yard="sqlite3 .import"
else
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS bench_x15_yard" -c "CREATE DATABASE bench_x15_yard"
  script=""
  for f in can-bo qua-trinh-cong-tac chuc-danh quy-hoach dao-tao trinh-do; do
    t_=${f//-/_}
    script+="CREATE TABLE $t_ ($(cols "$WORK/csv/$f.csv"));"$'\n'
    script+="\\copy $t_ FROM '$WORK/csv/$f.csv' WITH (FORMAT csv, HEADER true)"$'\n'
  done
  t=$(now); printf '%s' "$script" | psql -q "$PG/bench_x15_yard"; yard_s=$(secs "$t" "$(now)")
  yard="psql \\copy"
fi

echo "backend: $BACKEND; rows per part: $(for k in can-bo qua-trinh-cong-tac chuc-danh quy-hoach dao-tao trinh-do; do printf '%s=%s ' "$k" "${PART_ROWS[$k]}"; done)"
python3 - "$ROWS" "$zip_s" "$xlsx_s" "$import_s" "$again_s" "$yard_s" "$yard" "$same" <<'EOF'
import sys
rows, zs, xs, im, ag, ys = int(sys.argv[1]), *map(float, sys.argv[2:7])
yard, same = sys.argv[7], sys.argv[8]
print(f"rows: {rows:,}")
print(f"export ZIP : {zs:7.2f} s  {rows/zs:10,.0f} rows/s")
print(f"export XLSX: {xs:7.2f} s  {rows/xs:10,.0f} rows/s")
print(f"import ZIP into the empty database (one transaction): {im:7.2f} s  {rows/im:10,.0f} rows/s")
print(f"re-export from it: {ag:.2f} s, {same}")
print(f"{yard} of the same CSV rows into plain tables: {ys:.2f} s  {rows/ys:,.0f} rows/s; import = {im/ys:.1f} x")
EOF
