#!/usr/bin/env python3
"""Cost of a write that touches one title holder (issue 18: before and after the status timeline).

Against a running server on generated data (`generate --scale city`), signed in as admin:
N paper completions recorded for one holder, then N moves of that holder between two units,
one request at a time; prints the median and 95th percentile of each, and /health's for scale.

    scripts/bench-writes.py --base http://127.0.0.1:8000 --password ADMIN_PASSWORD [--n 200]
"""
import argparse
import datetime
import json
import statistics
import time
import urllib.request


def call(base, method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def timed(n, f):
    times = []
    for i in range(n):
        t = time.perf_counter()
        status = f(i)
        times.append((time.perf_counter() - t) * 1000)
        assert status < 300, status
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument("--password", required=True)
    ap.add_argument("--n", type=int, default=200)
    a = ap.parse_args()
    s, v = call(a.base, "POST", "/api/auth/login", body={"username": "admin", "password": a.password})
    assert s == 200, v
    token = v["token"]
    # A title holder of today, and another live unit of the same parent to move them to and back.
    s, v = call(a.base, "GET", "/api/reports/gaps/cadres?unit=79&status=all&limit=1", token)
    assert s == 200 and v["items"], v
    cadre = v["items"][0]["cadre_id"]
    home = v["items"][0]["unit_code"]
    s, u = call(a.base, "GET", f"/api/units/{home}", token)
    parent = u.get("parent_code") or "79"
    s, kids = call(a.base, "GET", f"/api/units/{parent}/children", token)
    items = kids["items"] if isinstance(kids, dict) else kids
    other = next(k["code"] for k in items if k["code"] != home)
    start = datetime.date(2026, 1, 1)
    modules = ["DV-01", "DV-03", "DV-06", "DV-02"]

    def completion(i):
        day = datetime.date(2010, 1, 1) + datetime.timedelta(days=i)
        return call(a.base, "POST", f"/api/cadres/{cadre}/completions", token,
                    {"module_code": modules[i % 4], "completed_on": day.isoformat(), "source_ref": "bench"})[0]

    def move(i):
        day = start + datetime.timedelta(days=i)
        return call(a.base, "PATCH", f"/api/cadres/{cadre}", token,
                    {"unit_code": other if i % 2 == 0 else home, "moved_on": day.isoformat()})[0]

    def health(_):
        return call(a.base, "GET", "/health")[0]

    h = timed(a.n, health)
    c = timed(a.n, completion)
    m = timed(a.n, move)
    print(f"| /health | {h[0]:.2f} ms | {h[1]:.2f} ms |")
    print(f"| paper completion of holder {cadre} | {c[0]:.2f} ms | {c[1]:.2f} ms |")
    print(f"| move of holder {cadre} ({home} ↔ {other}) | {m[0]:.2f} ms | {m[1]:.2f} ms |")


if __name__ == "__main__":
    main()
