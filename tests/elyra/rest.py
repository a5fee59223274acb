"""rest.py: one call to the Jupyter server's REST API, as the UI makes it.

    python rest.py BASE_URL TOKEN METHOD PATH [BODY_FILE]

Prints the status code on the first line, then the response body.
"""
import sys
import urllib.error
import urllib.request

base, token, method, path = sys.argv[1:5]
data = open(sys.argv[5], "rb").read() if len(sys.argv) > 5 else None
req = urllib.request.Request(base.rstrip("/") + path, data=data, method=method)
req.add_header("Authorization", f"token {token}")
if data is not None:
    req.add_header("Content-Type", "application/json")
try:
    with urllib.request.urlopen(req, timeout=120) as r:
        code, body = r.status, r.read()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read()
print(code)
sys.stdout.write(body.decode("utf-8", "replace"))
print()
