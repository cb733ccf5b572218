#!/usr/bin/env bash
# Concurrent writes to different cadres (each a data-writing transaction that moves the data
# version as it commits): what the PostgreSQL counter's row, taken by every such commit, costs
# when many writers commit at once. wrk PATCHes the phone number of N different cadres in turn
# over C connections for LOAD_SECS seconds, next to /health in the same run.
#   scripts/write-load.sh DATABASE_URL     an existing database with generated data, e.g.
#       DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city target/release/cadre-training generate --scale city --seed 7 --as-of 2026-12-01
# Environment: LOAD_SECS (default 10), LOAD_CONNS (default 16) connections, LOAD_CADRES (default
# 200) cadres, LOAD_BIN a server binary to use instead of building this checkout (to compare two
# builds on copies of the same data), LOAD_ADMIN_PASSWORD the admin's password (default
# load-test-password). Needs wrk, jq and curl (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk jq; do
  command -v $tool >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq $tool; }
done
[[ -n "${1:-}" ]] || { echo "usage: $0 DATABASE_URL" >&2; exit 2; }
bin=${LOAD_BIN:-${CARGO_TARGET_DIR:-target}/release/cadre-training}
if [[ -z "${LOAD_BIN:-}" ]]; then cargo build --release -q --bin cadre-training; fi
secs=${LOAD_SECS:-10} conns=${LOAD_CONNS:-16}
dir=$(mktemp -d)
server=
trap '[[ -n "$server" ]] && kill $server 2>/dev/null; rm -rf "$dir"' EXIT
port=${LOAD_PORT:-18766}
base="http://127.0.0.1:$port"
export DATABASE_URL=$1 ADMIN_PASSWORD=${LOAD_ADMIN_PASSWORD:-load-test-password} JWT_SECRET=load-test-secret-0123456789abcdef
export ROCKET_PORT=$port ROCKET_DATA_DIR=$dir RUST_LOG=error ROCKET_LOGIN_MAX_FAILURES=1000000
"$bin" >/dev/null 2>&1 & server=$!
for _ in $(seq 1 300); do curl -fs "$base/health" >/dev/null && break; sleep 0.1; done
admin=$(curl -fs -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "$base/api/auth/login" | jq -r .token)
[[ -n "$admin" && "$admin" != null ]] || { echo "cannot log in as admin" >&2; exit 1; }
curl -fs -H "Authorization: Bearer $admin" "$base/api/cadres?unit=79&limit=${LOAD_CADRES:-200}" |
  jq -r '.items[].id' > "$dir/ids"
cat > "$dir/writes.lua" <<LUA
local ids = {}
for line in io.lines("$dir/ids") do ids[#ids + 1] = line end
local i = math.random(#ids)
local n = 0
request = function()
  i = i % #ids + 1
  n = n + 1
  local body = string.format('{"phone":"09%08d"}', n % 100000000)
  return wrk.format("PATCH", "/api/cadres/" .. ids[i],
    { ["Authorization"] = "Bearer $admin", ["Content-Type"] = "application/json" }, body)
end
LUA
. scripts/wrk-measure.sh
read -r h_rps h_p50 h_p99 h_bad < <(measure "$base/health")
read -r w_rps w_p50 w_p99 w_bad < <(measure -s "$dir/writes.lua" "$base")
echo "== $bin on ${1%%\?*}: $(wc -l < "$dir/ids") cadres, $conns connections, ${secs}s each"
printf '%-28s %10s %9s %9s\n' route 'req/s' 'p50 ms' 'p99 ms'
printf '%-28s %10s %9s %9s %s\n' 'GET /health' "$h_rps" "$h_p50" "$h_p99" "${h_bad:+non-2xx: $h_bad}"
printf '%-28s %10s %9s %9s %s\n' 'PATCH /api/cadres/{id}' "$w_rps" "$w_p50" "$w_p99" "${w_bad:+non-2xx: $w_bad}"
