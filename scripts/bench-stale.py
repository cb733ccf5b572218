#!/usr/bin/env python3
"""The stale-soon list over HTTP: the whole city's and one ward's, against /health.

Against a running server on generated data (`generate --scale city`), signed in as admin: N rounds
of `GET /api/completions/stale-soon?days=90` for the whole city, the same for ward 26737, and
`/health`, one request at a time (each body read whole); prints each one's median and size, and
with `--pid` the server's peak resident memory (VmHWM) afterwards. The same list is what the daily
reminder sweep reads (for everyone, `stale_notice_days` ahead).

    scripts/bench-stale.py --base http://127.0.0.1:8000 --password ADMIN_PASSWORD [--n 20] [--pid PID]
"""
import argparse
import json
import statistics

from bench_http import admin_token, rounds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument("--password", required=True)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--pid", type=int)
    a = ap.parse_args()
    token = admin_token(a.base, a.password)
    paths = {
        "health": "/health",
        "stale-soon city, 90 days": "/api/completions/stale-soon?days=90",
        "stale-soon ward 26737, 90 days": "/api/completions/stale-soon?days=90&unit=26737",
    }
    times, last = rounds(a.base, token, paths, a.n)
    size = {k: len(b) if k == "health" else len(json.loads(b)["items"]) for k, b in last.items()}
    for k in paths:
        what = "bytes" if k == "health" else "items"
        print(f"{k}: median {statistics.median(times[k]):.2f} ms ({size[k]} {what})")
    if a.pid:
        with open(f"/proc/{a.pid}/status") as f:
            for line in f:
                if line.startswith(("VmHWM", "VmRSS")):
                    print("server " + " ".join(line.split()))


if __name__ == "__main__":
    main()
