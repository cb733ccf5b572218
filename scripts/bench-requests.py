#!/usr/bin/env python3
"""Median latency of GET requests as admin, one at a time (each body read whole).

Against a running server on generated data (`generate --scale city`):

    scripts/bench-requests.py --base http://127.0.0.1:8000 --password ADMIN_PASSWORD [--n 30] PATH...

Prints each path's median over N rounds, its status and its size.
"""
import argparse
import statistics
import time

from bench_http import admin_token, call


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument("--password", required=True)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    token = admin_token(a.base, a.password)
    for p in a.paths:
        times = []
        for _ in range(a.n):
            t = time.perf_counter()
            status, body = call(a.base, p, token)
            times.append((time.perf_counter() - t) * 1000)
        print(f"{statistics.median(times):9.1f} ms {status} {len(body):>10} B  {p}")


if __name__ == "__main__":
    main()
