"""What the HTTP benchmark scripts share: one request, and signing in as admin."""
import json
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
