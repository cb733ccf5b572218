#!/usr/bin/env bash
# Load benchmark (issue 7): a cadre's own record (GET /api/me) under 64 concurrent connections, next
# to the trivial /health route of the same server in the same run, and the cost of one login.
#   scripts/load.sh [DATABASE_URL]      default: a fresh SQLite file with the demo data
# Needs wrk (Debian package `wrk`; installed if missing) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq wrk; }
cargo build --release -q
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
url=${1:-sqlite://$dir/load.db}
port=18765
export DATABASE_URL=$url ADMIN_PASSWORD=load-test-password JWT_SECRET=load-test-secret-0123456789abcdef
export ROCKET_PORT=$port ROCKET_DATA_DIR=$dir RUST_LOG=error ROCKET_LOGIN_MAX_FAILURES=1000000
if [[ -z "${1:-}" ]]; then ./target/release/cadre-training generate --scale demo >/dev/null; fi
./target/release/cadre-training >/dev/null 2>&1 & server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
login() { curl -fs -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"demo-password\"}" \
  "http://127.0.0.1:$port/api/auth/login" | sed 's/.*"token":"\([^"]*\)".*/\1/'; }
token=$(login cadre)
echo "== trivial route: GET /health (one SELECT 1), 64 connections, 10 s"
wrk -t2 -c64 -d10s --latency "http://127.0.0.1:$port/health" | grep -E "Requests/sec|99%|50%"
echo "== GET /api/me as a cadre (own record: profile, units, titles, qualifications), 64 connections, 10 s"
wrk -t2 -c64 -d10s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/me" | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "== login (argon2id), 20 in a row"
start=$(date +%s%N)
for _ in $(seq 1 20); do login cadre >/dev/null; done
echo "mean $(( ($(date +%s%N) - start) / 20000000 )) ms per login"
