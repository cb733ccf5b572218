#!/usr/bin/env python3
"""Cost of a write that touches one title holder (issue 18: before and after the status timeline).

Against a running server on generated data (`generate --scale city`), signed in as admin:
a paper completion recorded for each of N title holders, then a move of each to another unit of
the same parent, one request at a time; prints the median and 95th percentile of each, and /health's for scale.
With `--reports`, instead: the whole city's gap report N times with nothing written between, then N
times each right after a paper completion (only the report timed): what a report costs while the
school keeps recording results (issue 18: the reference version keeps its cache across them).

    scripts/bench-writes.py --base http://127.0.0.1:8000 --password ADMIN_PASSWORD [--n 200] [--reports]
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
    ap.add_argument("--reports", action="store_true")
    a = ap.parse_args()
    s, v = call(a.base, "POST", "/api/auth/login", body={"username": "admin", "password": a.password})
    assert s == 200, v
    token = v["token"]
    # N title holders of today (one write each: a realistic record, not one cadre's growing
    # history), and for each another live unit of the same parent to move them to.
    s, v = call(a.base, "GET", f"/api/reports/gaps/cadres?unit=79&status=all&limit={a.n}", token)
    assert s == 200 and len(v["items"]) >= a.n, v
    people = []
    for item in v["items"][: a.n]:
        if any(p[0] == item["cadre_id"] for p in people):
            continue
        home = item["unit_code"]
        s, u = call(a.base, "GET", f"/api/units/{home}", token)
        parent = u.get("parent_code") or "79"
        s, kids = call(a.base, "GET", f"/api/units/{parent}/children", token)
        items = kids["items"] if isinstance(kids, dict) else kids
        other = next(k["code"] for k in items if k["code"] != home)
        people.append((item["cadre_id"], other))
    a.n = len(people)
    modules = ["DV-01", "DV-03", "DV-06", "DV-02"]

    def completion(i):
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=i)
        return call(a.base, "POST", f"/api/cadres/{people[i][0]}/completions", token,
                    {"module_code": modules[i % 4], "completed_on": day.isoformat(), "source_ref": "bench"})[0]

    def move(i):
        return call(a.base, "PATCH", f"/api/cadres/{people[i][0]}", token,
                    {"unit_code": people[i][1], "moved_on": "2026-11-01"})[0]

    def health(_):
        return call(a.base, "GET", "/health")[0]

    if a.reports:
        report = "/api/reports/gaps?unit=79"

        def quiet(_):
            return call(a.base, "GET", report, token)[0]

        def after_write(i):
            assert completion(i) < 300
            t = time.perf_counter()
            status = call(a.base, "GET", report, token)[0]
            times.append((time.perf_counter() - t) * 1000)
            return status

        quiet(0)
        q = timed(a.n, quiet)
        times = []
        for i in range(a.n):
            assert after_write(i) < 300
        times.sort()
        w = (statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))])
        print(f"| whole-city report, nothing written between | {q[0]:.2f} ms | {q[1]:.2f} ms |")
        print(f"| whole-city report right after a paper completion | {w[0]:.2f} ms | {w[1]:.2f} ms |")
        return
    h = timed(a.n, health)
    c = timed(a.n, completion)
    m = timed(a.n, move)
    print(f"| /health | {h[0]:.2f} ms | {h[1]:.2f} ms |")
    print(f"| paper completion ({a.n} holders, one each) | {c[0]:.2f} ms | {c[1]:.2f} ms |")
    print(f"| move to another unit of the same parent ({a.n} holders, one each) | {m[0]:.2f} ms | {m[1]:.2f} ms |")


if __name__ == "__main__":
    main()
