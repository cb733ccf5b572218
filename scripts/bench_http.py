"""What the HTTP benchmark scripts share: one request, and signing in as admin."""
import json
import time
import urllib.error
import urllib.request


def call(base, path, token=None, body=None):
    """GET `path` (POST `body` as JSON when given); returns the status and the whole body."""
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


def admin_token(base, password):
    """A bearer token of the admin account."""
    status, body = call(base, "/api/auth/login", body={"username": "admin", "password": password})
    assert status == 200, body
    return json.loads(body)["token"]


def rounds(base, token, paths, n):
    """N rounds of GET requests, each round every path of `paths` (label → path) once, each
    answer asserted 200; returns each label's times in ms and its last body."""
    times = {k: [] for k in paths}
    last = {}
    for _ in range(n):
        for k, p in paths.items():
            t = time.perf_counter()
            status, body = call(base, p, token)
            times[k].append((time.perf_counter() - t) * 1000)
            assert status == 200, (p, status)
            last[k] = body
    return times, last
