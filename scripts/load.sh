#!/usr/bin/env bash
# Load benchmark (issue 7): a cadre's own record (GET /api/me) under 64 concurrent connections, next
# to the trivial /health route of the same server in the same run, and the cost of one login.
#   scripts/load.sh                 a fresh SQLite file with the demo data (logs in as `cadre`)
#   scripts/load.sh DATABASE_URL    an existing database, e.g. the city dataset:
#       DATABASE_URL='sqlite:///tmp/x/city.db?mode=rwc' target/release/cadre-training generate --scale city --seed 7
#     or PostgreSQL (postgres://postgres@127.0.0.1:5432/bench_city). The script logs in as `admin`
#     (created from ADMIN_PASSWORD below if the database has no admin yet; otherwise set
#     LOAD_ADMIN_PASSWORD), picks a cadre holding a title on the day in ward LOAD_UNIT (default
#     26734, else the whole city) and gives them the account `load.cadre` (kept for the next run).
# Environment: LOAD_SECS (default 10) seconds per route; LOAD_BIN a server binary to use instead of
# building this checkout (to compare two builds in one sitting).
#   LOAD_CADRES=N   also run /api/me round-robin over N different cadres holding a title (accounts
#                   `load.c<id>`, created on first use and kept), so each record is built at least once
#   LOAD_WRITES=R   during that run, R writes a second (an unrelated cadre's phone number changed
#                   through the API): each one moves the data version, so every cached record is
#                   built again on its next read
#   LOAD_LOGINS=R   during that run, R logins a second (the admin signing in: an audit entry, no
#                   data written), which must leave the cached records valid
#   LOAD_NOTICES=R  during that run, R notice reads a second (the first round-robin cadre marking
#                   a notice of theirs read, through the API; the notice is put in their inbox
#                   with sqlite3 or psql first): notices are not data, so the cached records must
#                   stay valid
#   ROCKET_RECORD_CACHE_ENTRIES=0   the server without the own-record cache (every read builds)
# Needs wrk (Debian package `wrk`), jq and curl; wrk and jq are installed if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk jq; do
  command -v $tool >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq $tool; }
done
bin=${LOAD_BIN:-${CARGO_TARGET_DIR:-target}/release/cadre-training}
if [[ -z "${LOAD_BIN:-}" ]]; then cargo build --release -q --bin cadre-training; fi
secs=${LOAD_SECS:-10}
dir=$(mktemp -d)
server=
writer=
signer=
reader=
trap '[[ -n "$writer" ]] && kill $writer 2>/dev/null; [[ -n "$signer" ]] && kill $signer 2>/dev/null; [[ -n "$reader" ]] && kill $reader 2>/dev/null; [[ -n "$server" ]] && kill $server 2>/dev/null; rm -rf "$dir"' EXIT
url=${1:-sqlite://$dir/load.db}
port=${LOAD_PORT:-18765}
base="http://127.0.0.1:$port"
export DATABASE_URL=$url ADMIN_PASSWORD=${LOAD_ADMIN_PASSWORD:-load-test-password} JWT_SECRET=load-test-secret-0123456789abcdef
export ROCKET_PORT=$port ROCKET_DATA_DIR=$dir RUST_LOG=error ROCKET_LOGIN_MAX_FAILURES=1000000
if [[ -z "${1:-}" ]]; then "$bin" generate --scale demo >/dev/null; fi
"$bin" >/dev/null 2>&1 & server=$!
for _ in $(seq 1 300); do curl -fs "$base/health" >/dev/null && break; sleep 0.1; done
login() { curl -fs -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" \
  "$base/api/auth/login" | sed 's/.*"token":"\([^"]*\)".*/\1/'; }
if [[ -z "${1:-}" ]]; then
  user=cadre password=demo-password
else
  user=load.cadre password=load-cadre-password
  if [[ -z "$(login "$user" "$password" || true)" ]]; then
    admin=$(login admin "$ADMIN_PASSWORD")
    [[ -n "$admin" ]] || { echo "cannot log in as admin (set LOAD_ADMIN_PASSWORD)" >&2; exit 1; }
    pick() { curl -fs -H "Authorization: Bearer $admin" \
      "$base/api/reports/gaps/cadres?unit=$1&population=incumbent&limit=1" || true; }
    page=$(pick "${LOAD_UNIT:-26734}")
    grep -q '"cadre_id"' <<<"$page" || page=$(pick 79)
    cadre=$(grep -o '"cadre_id":[0-9]*' <<<"$page" | head -1 | cut -d: -f2)
    unit=$(grep -o '"unit_code":"[^"]*"' <<<"$page" | head -1 | cut -d'"' -f4)
    [[ -n "$cadre" ]] || { echo "no cadre holds a title in this database" >&2; exit 1; }
    curl -fs -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
      -d "{\"username\":\"$user\",\"password\":\"$password\",\"role\":\"cadre\",\"unit_code\":\"$unit\",\"cadre_id\":$cadre}" \
      "$base/api/accounts"
  fi
fi
token=$(login "$user" "$password")
[[ -n "$token" ]] || { echo "cannot log in as $user" >&2; exit 1; }
echo "== $bin on ${url%%\?*}, account $user: $(curl -fs -H "Authorization: Bearer $token" "$base/api/me" | wc -c) bytes of /api/me"
. scripts/wrk-measure.sh
read -r h_rps h_p50 h_p99 h_bad < <(measure "$base/health")
read -r m_rps m_p50 m_p99 m_bad < <(measure -H "Authorization: Bearer $token" "$base/api/me")
printf '%-14s %10s %9s %9s\n' route 'req/s' 'p50 ms' 'p99 ms'
printf '%-14s %10s %9s %9s %s\n' 'GET /health' "$h_rps" "$h_p50" "$h_p99" "${h_bad:+non-2xx: $h_bad}"
printf '%-14s %10s %9s %9s %s\n' 'GET /api/me' "$m_rps" "$m_p50" "$m_p99" "${m_bad:+non-2xx: $m_bad}"
awk -v a="$m_rps" -v b="$h_rps" 'BEGIN { printf "ratio /api/me : /health = %.3f\n", a / b }'
if (( ${LOAD_CADRES:-0} > 0 )); then
  admin=$(login admin "$ADMIN_PASSWORD")
  [[ -n "$admin" ]] || { echo "cannot log in as admin (set LOAD_ADMIN_PASSWORD)" >&2; exit 1; }
  auth=(-H "Authorization: Bearer $admin")
  curl -fs "${auth[@]}" "$base/api/reports/gaps/cadres?unit=79&population=incumbent&limit=500" |
    jq -r '.items[] | "\(.cadre_id) \(.unit_code)"' | sort -un | head -n "$LOAD_CADRES" > "$dir/cadres"
  while read -r id unit; do
    t=$(login "load.c$id" load-cadre-password || true)
    if [[ -z "$t" ]]; then
      curl -fs -o /dev/null "${auth[@]}" -H 'Content-Type: application/json' \
        -d "{\"username\":\"load.c$id\",\"password\":\"load-cadre-password\",\"role\":\"cadre\",\"unit_code\":\"$unit\",\"cadre_id\":$id}" \
        "$base/api/accounts"
      t=$(login "load.c$id" load-cadre-password)
    fi
    echo "$t"
  done < "$dir/cadres" > "$dir/tokens"
  # The same script drives /health in the same way (a fresh request built per call, as wrk's Lua
  # costs the client CPU on the same cores), so the ratio compares like with like.
  cat > "$dir/round-robin.lua" <<LUA
local tokens = {}
for line in io.lines("$dir/tokens") do tokens[#tokens + 1] = line end
local i = math.random(#tokens)
local path = "/api/me"
init = function(args) path = args[1] or path end
request = function()
  i = i % #tokens + 1
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[i] })
end
LUA
  # Each record read once first, so the run measures the steady state (the cache-off run,
  # ROCKET_RECORD_CACHE_ENTRIES=0, measures building).
  while read -r t; do curl -fs -o /dev/null -H "Authorization: Bearer $t" "$base/api/me"; done < "$dir/tokens"
  read -r rh_rps rh_p50 rh_p99 rh_bad < <(measure -s "$dir/round-robin.lua" "$base" -- /health)
  if (( ${LOAD_WRITES:-0} > 0 )); then
    # An unrelated cadre (the last in the city's list), its phone number changed R times a second.
    victim=$(curl -fs "${auth[@]}" "$base/api/cadres?unit=79&limit=1&offset=99" | jq -r '.items[0].id')
    ( n=0; while true; do n=$((n + 1))
        curl -fs -o /dev/null -X PATCH "${auth[@]}" -H 'Content-Type: application/json' \
          -d "{\"phone\":\"09$(printf '%08d' $n)\"}" "$base/api/cadres/$victim" && echo $n > "$dir/writes"
        sleep "$(awk -v r="$LOAD_WRITES" 'BEGIN { printf "%.4f", 1 / r }')"; done ) & writer=$!
  fi
  if (( ${LOAD_LOGINS:-0} > 0 )); then
    ( n=0; while true; do n=$((n + 1))
        login admin "$ADMIN_PASSWORD" >/dev/null && echo $n > "$dir/logins"
        sleep "$(awk -v r="$LOAD_LOGINS" 'BEGIN { printf "%.4f", 1 / r }')"; done ) & signer=$!
  fi
  if (( ${LOAD_NOTICES:-0} > 0 )); then
    # One notice in the first cadre's inbox, written straight into the database (no event of
    # the data needed), then read again and again through the API.
    reader_id=$(head -1 "$dir/cadres" | cut -d' ' -f1)
    insert="INSERT INTO notices (account_id, kind, params, created_at, mail_state, next_attempt)
      SELECT id, 'enrolled', '{\"class\":\"LOAD-1\",\"cadre\":\"load\"}', NOW, 'none', 0
      FROM accounts WHERE username = 'load.c$reader_id'"
    case "$url" in
      sqlite:*) file=${url#sqlite://}; file=${file%%\?*}
        now="strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"
        sqlite3 "$file" "${insert/NOW/$now}" ;;
      *) psql -q "$url" -c "${insert/NOW/now()}" ;;
    esac
    t=$(head -1 "$dir/tokens")
    notice=$(curl -fs -H "Authorization: Bearer $t" "$base/api/notices?limit=1" | jq -r '.items[0].id')
    ( n=0; while true; do n=$((n + 1))
        curl -fs -o /dev/null -X POST -H "Authorization: Bearer $t" "$base/api/notices/$notice/read" \
          && echo $n > "$dir/notices"
        sleep "$(awk -v r="$LOAD_NOTICES" 'BEGIN { printf "%.4f", 1 / r }')"; done ) & reader=$!
  fi
  read -r r_rps r_p50 r_p99 r_bad < <(measure -s "$dir/round-robin.lua" "$base" -- /api/me)
  [[ -n "$writer" ]] && { kill $writer; wait $writer 2>/dev/null || true; writer=; }
  [[ -n "$signer" ]] && { kill $signer; wait $signer 2>/dev/null || true; signer=; }
  [[ -n "$reader" ]] && { kill $reader; wait $reader 2>/dev/null || true; reader=; }
  label="GET /api/me, $(wc -l < "$dir/tokens") cadres round-robin"
  [[ "${LOAD_LOGINS:-0}" != 0 ]] && label+=", $LOAD_LOGINS logins/s ($(cat "$dir/logins" 2>/dev/null || echo 0) made)"
  [[ "${LOAD_NOTICES:-0}" != 0 ]] && label+=", $LOAD_NOTICES notice reads/s ($(cat "$dir/notices" 2>/dev/null || echo 0) made)"
  [[ -n "${LOAD_WRITES:-}" && "${LOAD_WRITES:-0}" != 0 ]] && label+=", $LOAD_WRITES writes/s ($(cat "$dir/writes" 2>/dev/null || echo 0) writes made)"
  echo "== $label, both routes driven by the same wrk script"
  printf '%-14s %10s %9s %9s %s\n' 'GET /health' "$rh_rps" "$rh_p50" "$rh_p99" "${rh_bad:+non-2xx: $rh_bad}"
  printf '%-14s %10s %9s %9s %s\n' 'GET /api/me' "$r_rps" "$r_p50" "$r_p99" "${r_bad:+non-2xx: $r_bad}"
  awk -v a="$r_rps" -v b="$rh_rps" 'BEGIN { printf "ratio round-robin /api/me : /health = %.3f\n", a / b }'
fi
echo "== login (argon2id), 20 in a row"
start=$(date +%s%N)
for _ in $(seq 1 20); do login "$user" "$password" >/dev/null; done
echo "mean $(( ($(date +%s%N) - start) / 20000000 )) ms per login"
