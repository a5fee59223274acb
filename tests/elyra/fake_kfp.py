"""fake_kfp.py: a stand-in for the KFP 1.8 API server, for submission tests.

    python fake_kfp.py PORT LOG_FILE UPLOAD_DIR BUCKET_LIST_COMMAND...

Answers the calls that Elyra 4.0's KFP processor makes through the kfp
1.8 client (authentication probe, healthz, experiments, pipelines, upload,
runs) with minimal valid JSON, and logs one line per call: METHOD PATH.
On the pipeline upload it saves the uploaded package in UPLOAD_DIR and
runs BUCKET_LIST_COMMAND, logging how many .tar.gz objects the bucket
holds at that moment (the archives must be there before the workflow).
"""
import email.parser
import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from http.server import HTTPServer
from urllib.parse import urlsplit

port, log_file, upload_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
bucket_list = sys.argv[4:]


def log(line):
    with open(log_file, "a") as f:
        f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, obj, code=200):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = urlsplit(self.path).path
        log(f"GET {path}")
        if path.endswith("/healthz"):
            self.reply({"multi_user": False})
        elif path.endswith("/experiments"):
            self.reply({"experiments": [], "total_size": 0})
        elif path.endswith("/pipelines"):
            self.reply({"pipelines": [], "total_size": 0})
        elif path.endswith("/pipelines/pipeline-1"):
            # On KFP 1.8 a pipeline's first version has the pipeline's id.
            self.reply({"id": "pipeline-1", "name": "iris", "default_version": {"id": "pipeline-1"}})
        else:
            self.reply({})

    def do_POST(self):
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if path.endswith("/pipelines/upload"):
            msg = email.parser.BytesParser().parsebytes(
                b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body
            )
            for part in msg.walk():
                name = part.get_filename()
                if name:
                    with open(os.path.join(upload_dir, name), "wb") as f:
                        f.write(part.get_payload(decode=True))
            out = subprocess.run(bucket_list, capture_output=True, text=True).stdout
            n = sum(1 for line in out.splitlines() if line.endswith(".tar.gz"))
            log(f"POST {path} archives-in-bucket={n}")
            self.reply({"id": "pipeline-1", "name": "iris", "default_version": {"id": "pipeline-1"}})
        elif path.endswith("/experiments"):
            log(f"POST {path}")
            self.reply({"id": "experiment-1", "name": json.loads(body or b"{}").get("name")})
        elif path.endswith("/runs"):
            spec = json.loads(body or b"{}")
            refs = {r["key"]["type"]: r["key"]["id"] for r in spec.get("resource_references") or []}
            log(f"POST {path} name={spec.get('name')} version={refs.get('PIPELINE_VERSION')}")
            self.reply({"run": {"id": "run-1", "name": spec.get("name")}})
        else:
            log(f"POST {path}")
            self.reply({})


HTTPServer(("127.0.0.1", port), Handler).serve_forever()
