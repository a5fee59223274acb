"""fake_kfp2.py: a stand-in for a KFP 2.x API server (2.17), for submission tests.

    python fake_kfp2.py PORT STATE_FILE [--block-v1]

Serves, on 127.0.0.1, the v2beta1 endpoints the kfp 2 client calls (Elyra
4.1) and the v1beta1 endpoints the kfp 1.8 client calls (Elyra 4.0):
healthz, experiments, pipelines (list by name, get, upload, upload of a
version, versions) and runs. It keeps state and behaves as the issue (#23)
records of a real KFP 2.17 server:
  - an uploaded file (.yaml, or the .tar.gz/.zip a kfp client packs) is
    parsed: an Argo Workflow (argoproj.io/v1alpha1) is a v1 template, a
    PipelineSpec (pipelineInfo, root, schemaVersion) is v2 IR, anything
    else is refused with 400;
  - a pipeline's first version has an id of its own, not the pipeline's;
    a run naming a version that does not exist fails with 404
    "PipelineVersion <id> not found";
  - v1beta1 run parameters set a v1 template's parameters; v2beta1
    runtime_config parameters are dropped for a v1 template (the run gets
    the template's defaults); for IR they are set. A parameter the template
    does not declare is refused with 400;
  - with --block-v1 (BLOCK_V1_PIPELINES=true), a run of a v1 template is
    refused with 400 "Namespace kubeflow is not allowed to run v1
    pipelines. Please migrate to using KFP V2 pipelines.".
Every change rewrites STATE_FILE (JSON: pipelines, versions, experiments,
runs with their version and effective parameters, every call, every
error answered), which the tests read;
each version's pipeline file is kept as STATE_FILE.d/<version id>.yaml.
Standard library only, plus PyYAML (a dependency of every kfp client) to
read the uploaded YAML.
"""
import email.parser
import io
import json
import os
import sys
import tarfile
import threading
import uuid
import zipfile
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import yaml

port, state_file = int(sys.argv[1]), sys.argv[2]
block_v1 = "--block-v1" in sys.argv[3:]
NOW = "2026-01-01T00:00:00Z"
state = {"pipelines": {}, "versions": {}, "experiments": {}, "runs": [], "calls": [], "errors": []}
lock = threading.Lock()


class ApiError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def save():
    with open(state_file + ".tmp", "w") as f:
        json.dump(state, f, indent=1)  # in insertion order: upload order
    os.replace(state_file + ".tmp", state_file)


def new_id():
    return str(uuid.uuid4())


def unpack(name, data):
    """The pipeline file of an upload: kfp packs .tar.gz or .zip with one file."""
    if name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            files = [m for m in tar.getmembers() if m.isfile()]
            if len(files) != 1:
                raise ApiError(400, "Invalid package: the archive must hold one file")
            return tar.extractfile(files[0]).read()
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if len(z.namelist()) != 1:
                raise ApiError(400, "Invalid package: the archive must hold one file")
            return z.read(z.namelist()[0])
    if name.endswith((".yaml", ".yml", ".json")):
        return data
    raise ApiError(400, f"Unexpected pipeline file format '{name}': support .yaml, .tar.gz, .tgz or .zip")


def classify(text):
    """(kind, {parameter: default}) of a template, as the server detects it."""
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        raise ApiError(400, f"Failed to parse the pipeline spec: {e}")
    if not docs or not isinstance(docs[0], dict):
        raise ApiError(400, "Failed to parse the pipeline spec: empty or not a mapping")
    doc = docs[0]
    if doc.get("apiVersion") == "argoproj.io/v1alpha1" and doc.get("kind") == "Workflow":
        params = ((doc.get("spec") or {}).get("arguments") or {}).get("parameters") or []
        return "v1", {p["name"]: p.get("value") for p in params}
    if all(k in doc for k in ("pipelineInfo", "root", "schemaVersion")):
        params = ((doc["root"].get("inputDefinitions") or {}).get("parameters")) or {}
        for extra in docs[1:]:
            if not isinstance(extra, dict) or "platforms" not in extra:
                raise ApiError(400, "Invalid pipeline spec: the document after the PipelineSpec is no platform spec")
        return "v2", {k: v.get("defaultValue") for k, v in params.items()}
    raise ApiError(400, "Failed to get the pipeline spec: neither an Argo Workflow nor a PipelineSpec")


def upload(handler, query, pipeline_id=None):
    msg = email.parser.BytesParser().parsebytes(
        b"Content-Type: " + handler.headers["Content-Type"].encode() + b"\r\n\r\n" + handler.body
    )
    files = [(p.get_filename(), p.get_payload(decode=True)) for p in msg.walk() if p.get_filename()]
    if len(files) != 1:
        raise ApiError(400, "Failed to upload the pipeline: expect one file 'uploadfile'")
    filename, data = files[0]
    text = unpack(filename, data)
    kind, params = classify(text)
    name = (query.get("name") or [filename])[0]
    if pipeline_id is None:
        if any(p["name"] == name for p in state["pipelines"].values()):
            raise ApiError(409, f"Failed to create a pipeline: pipeline '{name}' already exists")
        pipeline_id = new_id()
        state["pipelines"][pipeline_id] = {
            "id": pipeline_id,
            "name": name,
            "description": (query.get("description") or [""])[0],
        }
    elif pipeline_id not in state["pipelines"]:
        raise ApiError(404, f"Pipeline {pipeline_id} not found")
    version_id = new_id()
    os.makedirs(state_file + ".d", exist_ok=True)
    with open(os.path.join(state_file + ".d", version_id + ".yaml"), "wb") as f:
        f.write(text)
    state["versions"][version_id] = {
        "id": version_id,
        "pipeline_id": pipeline_id,
        "name": name,
        "kind": kind,
        "parameters": params,
        "filename": filename,
    }
    return state["pipelines"][pipeline_id], state["versions"][version_id]


def latest_version(pipeline_id):
    versions = [v for v in state["versions"].values() if v["pipeline_id"] == pipeline_id]
    return versions[-1] if versions else None


def name_filter(query):
    """The name an EQUALS filter on name/display_name asks for, else None."""
    raw = (query.get("filter") or [""])[0]
    if not raw:
        return None
    for p in json.loads(raw).get("predicates") or []:
        if p.get("key") in ("name", "display_name"):
            return p.get("string_value", p.get("stringValue"))
    return None


def create_run(name, experiment_id, version_id, params, api):
    version = state["versions"].get(version_id or "")
    if version is None:
        raise ApiError(404, f"PipelineVersion {version_id} not found")
    if experiment_id and experiment_id not in state["experiments"]:
        raise ApiError(404, f"Experiment {experiment_id} not found")
    namespace = state["experiments"].get(experiment_id or "", {}).get("namespace") or "kubeflow"
    if version["kind"] == "v1" and block_v1:
        raise ApiError(
            400, f"Namespace {namespace} is not allowed to run v1 pipelines. Please migrate to using KFP V2 pipelines."
        )
    for k in params:
        if k not in version["parameters"]:
            raise ApiError(400, f"Invalid run: parameter '{k}' is not an input of pipeline version {version_id}")
    effective = dict(version["parameters"])
    if version["kind"] == "v1" and api == "v2beta1":
        dropped = dict(params)  # what KFP 2.17 does with runtime_config on a v1 template
    else:
        effective.update(params)
        dropped = {}
    run = {
        "id": new_id(),
        "name": name,
        "api": api,
        "experiment_id": experiment_id,
        "pipeline_id": version["pipeline_id"],
        "pipeline_version_id": version_id,
        "kind": version["kind"],
        "parameters": effective,
        "dropped_parameters": dropped,
    }
    state["runs"].append(run)
    return run


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, obj, code=200):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self, method):
        url = urlsplit(self.path)
        self.body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        parts = url.path.strip("/").split("/")
        query = parse_qs(url.query)
        with lock:
            state["calls"].append(f"{method} {url.path}")
            try:
                if url.path == "/t3q-ready":
                    obj, code = {}, 200
                elif len(parts) >= 3 and parts[0] == "apis" and parts[1] in ("v1beta1", "v2beta1"):
                    route = v1_api if parts[1] == "v1beta1" else v2_api
                    obj, code = route(self, method, parts[2:], query), 200
                elif method == "GET":
                    obj, code = {}, 200  # Elyra's authentication probe: GET /
                else:
                    raise ApiError(404, f"Not Found: {url.path}")
            except ApiError as e:
                state["errors"].append(str(e))
                obj, code = {"error": str(e), "message": str(e), "code": 3 if e.code == 400 else 5}, e.code
            except (ValueError, KeyError, TypeError) as e:
                obj, code = {"error": f"bad request: {e}", "message": f"bad request: {e}", "code": 3}, 400
            save()
        self.reply(obj, code)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")


def v1_pipeline(p):
    v = latest_version(p["id"])
    return {
        "id": p["id"],
        "name": p["name"],
        "description": p["description"],
        "created_at": NOW,
        "default_version": v1_version(v) if v else None,
    }


def v1_version(v):
    return {
        "id": v["id"],
        "name": v["name"],
        "created_at": NOW,
        "parameters": [{"name": k, "value": d} for k, d in v["parameters"].items()] if v["kind"] == "v1" else [],
        "resource_references": [{"key": {"type": "PIPELINE", "id": v["pipeline_id"]}, "relationship": "OWNER"}],
    }


def v1_api(h, method, parts, query):
    """/apis/v1beta1/...: what the kfp 1.8 client calls."""
    if parts == ["healthz"]:
        return {"multi_user": False}
    if parts == ["experiments"] and method == "GET":
        name = name_filter(query)
        exps = [e for e in state["experiments"].values() if name is None or e["name"] == name]
        return {"experiments": [{"id": e["id"], "name": e["name"], "created_at": NOW} for e in exps],
                "total_size": len(exps)}
    if parts == ["experiments"] and method == "POST":
        spec = json.loads(h.body)
        e = {"id": new_id(), "name": spec["name"], "namespace": None}
        state["experiments"][e["id"]] = e
        return {"id": e["id"], "name": e["name"], "created_at": NOW}
    if parts == ["pipelines"] and method == "GET":
        name = name_filter(query)
        ps = [p for p in state["pipelines"].values() if name is None or p["name"] == name]
        return {"pipelines": [v1_pipeline(p) for p in ps], "total_size": len(ps)}
    if parts == ["pipelines", "upload"] and method == "POST":
        return v1_pipeline(upload(h, query)[0])
    if parts == ["pipelines", "upload_version"] and method == "POST":
        return v1_version(upload(h, query, (query.get("pipelineid") or [""])[0])[1])
    if len(parts) == 2 and parts[0] == "pipelines" and method == "GET":
        p = state["pipelines"].get(parts[1])
        if p is None:
            raise ApiError(404, f"Pipeline {parts[1]} not found")
        return v1_pipeline(p)
    if parts == ["runs"] and method == "POST":
        spec = json.loads(h.body)
        refs = spec.get("resource_references") or []
        ref = {r["key"]["type"]: r["key"]["id"] for r in refs}
        params = {p["name"]: p.get("value") for p in (spec.get("pipeline_spec") or {}).get("parameters") or []}
        run = create_run(spec.get("name"), ref.get("EXPERIMENT"), ref.get("PIPELINE_VERSION"), params, "v1beta1")
        return {"run": {"id": run["id"], "name": run["name"], "created_at": NOW, "resource_references": refs},
                "pipeline_runtime": {}}
    raise ApiError(404, f"Not Found: {method} /apis/v1beta1/{'/'.join(parts)}")


def v2_pipeline(p):
    return {"pipeline_id": p["id"], "display_name": p["name"], "description": p["description"], "created_at": NOW}


def v2_version(v):
    return {"pipeline_id": v["pipeline_id"], "pipeline_version_id": v["id"], "display_name": v["name"],
            "created_at": NOW}


def v2_api(h, method, parts, query):
    """/apis/v2beta1/...: what the kfp 2 client calls."""
    if parts == ["healthz"]:
        return {"multi_user": False}
    if parts == ["experiments"] and method == "GET":
        name = name_filter(query)
        exps = [e for e in state["experiments"].values() if name is None or e["name"] == name]
        return {"experiments": [{"experiment_id": e["id"], "display_name": e["name"], "created_at": NOW}
                                for e in exps], "total_size": len(exps)}
    if parts == ["experiments"] and method == "POST":
        spec = json.loads(h.body)
        e = {"id": new_id(), "name": spec["display_name"], "namespace": spec.get("namespace")}
        state["experiments"][e["id"]] = e
        return {"experiment_id": e["id"], "display_name": e["name"], "created_at": NOW}
    if parts == ["pipelines"] and method == "GET":
        name = name_filter(query)
        ps = [p for p in state["pipelines"].values() if name is None or p["name"] == name]
        return {"pipelines": [v2_pipeline(p) for p in ps], "total_size": len(ps)}
    if parts == ["pipelines", "upload"] and method == "POST":
        return v2_pipeline(upload(h, query)[0])
    if parts == ["pipelines", "upload_version"] and method == "POST":
        return v2_version(upload(h, query, (query.get("pipelineid") or [""])[0])[1])
    if len(parts) == 3 and parts[0] == "pipelines" and parts[2] == "versions" and method == "GET":
        vs = [v for v in state["versions"].values() if v["pipeline_id"] == parts[1]]
        return {"pipeline_versions": [v2_version(v) for v in vs], "total_size": len(vs)}
    if parts == ["runs"] and method == "POST":
        spec = json.loads(h.body)
        ref = spec.get("pipeline_version_reference") or {}
        params = (spec.get("runtime_config") or {}).get("parameters") or {}
        run = create_run(spec.get("display_name"), spec.get("experiment_id"), ref.get("pipeline_version_id"),
                         params, "v2beta1")
        return {"run_id": run["id"], "display_name": run["name"], "experiment_id": run["experiment_id"],
                "pipeline_version_reference": ref, "state": "PENDING", "created_at": NOW}
    raise ApiError(404, f"Not Found: {method} /apis/v2beta1/{'/'.join(parts)}")


save()
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
