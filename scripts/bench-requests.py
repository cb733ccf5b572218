#!/usr/bin/env python3
"""Median latency of GET requests as admin, one at a time (each body read whole).

Against a running server on generated data (`generate --scale city`):

    scripts/bench-requests.py --base http://127.0.0.1:8000 --password ADMIN_PASSWORD [--n 30] PATH...

Prints each path's median over N rounds, its status and its size.
"""
import argparse
import json
import statistics
import time
import urllib.error
import urllib.request


def call(base, path, token=None, body=None):
    req = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
    )
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument("--password", required=True)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    _, body = call(a.base, "/api/auth/login", body={"username": "admin", "password": a.password})
    token = json.loads(body)["token"]
    for p in a.paths:
        times = []
        for _ in range(a.n):
            t = time.perf_counter()
            status, body = call(a.base, p, token)
            times.append((time.perf_counter() - t) * 1000)
        print(f"{statistics.median(times):9.1f} ms {status} {len(body):>10} B  {p}")


if __name__ == "__main__":
    main()
