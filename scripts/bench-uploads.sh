#!/usr/bin/env bash
# Upload-limit benchmark (issue 14): the largest roster the default limits accept, sent to a running
# release server, with the wall time of each step, the server's resident memory before it and at its
# peak (VmHWM), and /health's latency polled every 100 ms meanwhile. Each step runs on a fresh server
# over a fresh copy of a database holding only Ho Chi Minh City's units.
#   scripts/bench-uploads.sh            a fresh SQLite file with Ho Chi Minh City's units
#   BENCH_ROWS=N                        rows in the roster (default 300000: the row limit)
#   BENCH_BIN=path                      a server binary instead of building this checkout
# Steps: a dry run and the import of the valid roster; a dry run of a roster of the same size where
# every row has two problems (the bounded 422) and the CSV of all of them; the reproduction of
# issue 14 (A1 + XFD1048576 workbook) and a 60 MB ZIP bomb.
# Needs curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
if [[ -z "${BENCH_BIN:-}" ]]; then cargo build --release -q --features test-support --bin cadre-training --bin bench_import; fi
bin=${BENCH_BIN:-$target/release/cadre-training}
rows=${BENCH_ROWS:-300000}
dir=$(mktemp -d)
server=
trap '[[ -n "$server" ]] && kill $server 2>/dev/null; rm -rf "$dir"' EXIT
port=${BENCH_PORT:-18766}
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$dir/units.db" ADMIN_PASSWORD=bench-admin-password JWT_SECRET=bench-secret-0123456789abcdef
export ROCKET_PORT=$port ROCKET_DATA_DIR=$dir RUST_LOG=error
"$target/release/bench_import" --write "$dir/good.csv" --rows "$rows" >/dev/null
"$target/release/bench_import" --write "$dir/bad.csv" --rows "$rows" --bad >/dev/null
"$bin" import-units data/units/admin-units-2024.csv --root 79 >/dev/null

# A fresh server on a fresh copy of the units database.
start() {
  [[ -n "$server" ]] && { kill $server; wait $server 2>/dev/null || true; }
  rm -f "$dir"/step.db*
  cp "$dir/units.db" "$dir/step.db"
  DATABASE_URL="sqlite://$dir/step.db" "$bin" >/dev/null 2>&1 & server=$!
  for _ in $(seq 1 300); do curl -fs "$base/health" >/dev/null && break; sleep 0.1; done
  token=$(curl -fs -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "$base/api/auth/login" |
    sed 's/.*"token":"\([^"]*\)".*/\1/')
}

python3 - "$dir" <<'EOF' > "$dir/repro.xlsx"
import io, sys, zipfile
sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Số CCCD/CMND</t></is></c></row>'
         '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
def book(sheet_xml, name):
    z = zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED)
    z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    z.close()
book(sheet, sys.argv[1] + "/repro.xlsx")
book(sheet.replace('</sheetData>', ' ' * 60_000_000 + '</sheetData>'), sys.argv[1] + "/bomb.xlsx")
EOF

# Runs one upload while /health is polled; prints a table row.
step() { # label path file
  local label=$1 path=$2 file=$3
  start
  local before
  before=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
  : > "$dir/health.txt"
  curl -s -o "$dir/answer" -w '%{http_code} %{time_total} %{size_download}\n' \
    -H "Authorization: Bearer $token" --data-binary @"$file" "$base$path" > "$dir/upload.txt" &
  local up=$!
  while kill -0 $up 2>/dev/null; do
    curl -s -o /dev/null -w '%{time_total}\n' "$base/health" >> "$dir/health.txt" || true
    sleep 0.1
  done
  wait $up
  local hwm
  hwm=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
  python3 - "$label" "$(stat -c %s "$file")" "$before" "$hwm" "$dir/upload.txt" "$dir/health.txt" <<'EOF'
import statistics, sys
label, size, before, hwm, up, health = sys.argv[1:]
code, secs, answer = open(up).read().split()
h = sorted(float(x) * 1000 for x in open(health).read().split()) or [0.0]
print(f"| {label} | {int(size) / 1e6:.1f} MB | {code} | {float(secs):.2f} s | {int(answer):,} B | "
      f"{int(before) / 1024:.0f} → {int(hwm) / 1024:.0f} MiB | {len(h)} | {statistics.median(h):.1f} ms | {h[-1]:.1f} ms |")
EOF
}

echo "rows: $rows; $(nproc) cores; $(date -u +%F)"
echo "| step | file | status | time | answer | server RSS → peak | /health polls | /health median | /health max |"
echo "|---|---|---|---|---|---|---|---|---|"
step "valid roster, dry run" "/api/imports/cadres?dry_run=true" "$dir/good.csv"
step "valid roster, import" "/api/imports/cadres?file_name=good.csv" "$dir/good.csv"
step "bad roster (2 problems a row), dry run" "/api/imports/cadres?dry_run=true" "$dir/bad.csv"
step "bad roster, every problem as CSV" "/api/imports/cadres/problems" "$dir/bad.csv"
step "A1 + XFD1048576 workbook" "/api/imports/cadres?dry_run=true" "$dir/repro.xlsx"
step "ZIP bomb (60 MB sheet part)" "/api/imports/cadres?dry_run=true" "$dir/bomb.xlsx"
