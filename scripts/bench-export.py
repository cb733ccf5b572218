#!/usr/bin/env python3
"""The whole city's drill-down export against its gap report, over HTTP (issue 18: export ≤ 2 × the report).

Against a running server on generated data (`generate --scale city`), signed in as admin: N rounds
of the gap report of unit 79 (JSON), the export of everyone behind it as CSV, then as XLSX, one
request at a time (each body read whole); prints each one's median, size and ratio to the report.

    scripts/bench-export.py --base http://127.0.0.1:8000 --password ADMIN_PASSWORD [--n 40]
"""
import argparse
import statistics

from bench_http import admin_token, rounds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument("--password", required=True)
    ap.add_argument("--n", type=int, default=40)
    a = ap.parse_args()
    token = admin_token(a.base, a.password)
    paths = {
        "report": "/api/reports/gaps?unit=79",
        "export csv": "/api/reports/gaps/cadres/export?unit=79&status=all&format=csv",
        "export xlsx": "/api/reports/gaps/cadres/export?unit=79&status=all&format=xlsx",
    }
    times, last = rounds(a.base, token, paths, a.n)
    size = {k: len(b) for k, b in last.items()}
    med = {k: statistics.median(v) for k, v in times.items()}
    for k in paths:
        print(f"{k}: median {med[k]:.2f} ms ({size[k]} bytes), ÷ report {med[k] / med['report']:.2f}")


if __name__ == "__main__":
    main()
