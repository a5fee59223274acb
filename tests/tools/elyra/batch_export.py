"""batch_export.py: exports many Elyra pipelines in ONE Python process with
Elyra 4.0.0's own 'elyra-pipeline export' (kfp 1.8.22), offline.

    python batch_export.py --minio MINIO_BIN --runtime NAME=CONFIG.json [...] \\
        --list LIST.jsonl --out DIR

Run it with the Elyra venv's python (t-elyra-diff.sh does). Run by the
Elyra 4.1.1 venv's python it exports KFP v2 IR with 4.1.1's own code, the
same CLI command and hooks (t-elyra41-diff.sh does). One CLI export
costs about 5 s, nearly all of it imports and MinIO's start; here Elyra is
imported once, one private MinIO takes every upload, and the CLI's own
export command (elyra.cli.pipeline_app, the very click command that
export.sh runs) is invoked in-process once per pipeline, so validation,
pre-processing, parsing and export are exactly the CLI's.

LIST.jsonl has one {"id": ID, "pipeline": ABS_PATH, "runtime": NAME} a line.
For each ID it writes DIR/ID/result.json:

  exported   true when Elyra wrote the YAML (DIR/ID/elyra.yaml)
  message    Elyra's refusal (the click exception's text), or null
  issues     the validation issues Elyra printed (its own dicts)
  output     everything the CLI printed
  archives   {archive name: sorted member files} for each dependency
             archive built by elyra.util.archive.create_temp_archive, as
             the processor called it (its own call, observed), or
             {"error": text} when it raised

Each CONFIG.json is an Elyra KFP runtime metadata instance (as export.sh
takes); all of them must share cos_endpoint, cos_username and cos_password,
which the one MinIO serves. The network guard is offline_export.py's.
PYTHONHASHSEED is pinned to 0 (re-exec) so that Elyra's set orders repeat.
"""
import argparse
import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
import urllib.request
from urllib.parse import urlsplit


def start_minio(binary, user, password, data):
    for _ in range(3):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        env = dict(os.environ, MINIO_ROOT_USER=user, MINIO_ROOT_PASSWORD=password,
                   MINIO_BROWSER="off", MINIO_UPDATE="off")
        log = open(os.path.join(data, "..", "minio.log"), "ab")
        proc = subprocess.Popen([binary, "server", "--quiet", "--address", "127.0.0.1:%d" % port, data],
                                env=env, stdout=log, stderr=log, start_new_session=True)
        for _ in range(300):
            if proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/minio/health/live" % port, timeout=1) as r:
                    if r.status // 100 == 2:
                        return proc, port
            except OSError:
                pass
            time.sleep(0.1)
        proc.kill()
        proc.wait()
    sys.exit("batch_export.py: MinIO did not start")


def install_runtime(name, path, dest):
    with open(path) as f:
        inst = json.load(f)
    if "metadata" not in inst:
        inst = {"display_name": name, "metadata": inst}
    inst.pop("name", None)
    inst.setdefault("display_name", name)
    inst.setdefault("schema_name", "kfp")
    inst["metadata"].setdefault("runtime_type", "KUBEFLOW_PIPELINES")
    with open(os.path.join(dest, name + ".json"), "w") as f:
        json.dump(inst, f, indent=2)
    return inst["metadata"]


def main():
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable] + sys.argv)
    ap = argparse.ArgumentParser()
    ap.add_argument("--minio", required=True)
    ap.add_argument("--runtime", action="append", required=True, help="NAME=CONFIG.json")
    ap.add_argument("--list", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    a.list, a.out = os.path.abspath(a.list), os.path.abspath(a.out)

    tmp = tempfile.mkdtemp(prefix="t3q-elyra-batch.")
    for k in ("JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR"):
        os.environ[k] = os.path.join(tmp, "jupyter", k.split("_")[1].lower())
        os.makedirs(os.environ[k], exist_ok=True)
    for k in ("ELYRA_METADATA_PATH", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "http_proxy", "https_proxy",
              "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        os.environ.pop(k, None)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "*"
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    # Elyra writes its archives to tempfile.gettempdir()/elyra.
    os.environ["TMPDIR"] = tmp
    tempfile.tempdir = None
    rtdir = os.path.join(os.environ["JUPYTER_DATA_DIR"], "metadata", "runtimes")
    os.makedirs(rtdir)
    # Component catalogs (custom components), as export.sh installs them.
    if os.environ.get("T3Q_ELYRA_CATALOG_DIR"):
        catdir = os.path.join(os.environ["JUPYTER_DATA_DIR"], "metadata", "component-catalogs")
        os.makedirs(catdir)
        for f in sorted(os.listdir(os.environ["T3Q_ELYRA_CATALOG_DIR"])):
            if f.endswith(".json"):
                with open(os.path.join(os.environ["T3Q_ELYRA_CATALOG_DIR"], f)) as src, \
                        open(os.path.join(catdir, f), "w") as dst:
                    dst.write(src.read())
    mds = {}
    for spec in a.runtime:
        name, _, path = spec.partition("=")
        mds[name] = install_runtime(name, path, rtdir)
    ends = {(m["cos_endpoint"], m["cos_username"], m["cos_password"]) for m in mds.values()}
    if len(ends) != 1:
        sys.exit("batch_export.py: the runtime configurations must share endpoint and credentials")
    endpoint, user, password = ends.pop()
    u = urlsplit(endpoint)
    if u.scheme != "http":
        sys.exit("batch_export.py: only an http cos_endpoint is supported")
    os.makedirs(os.path.join(tmp, "minio-data"))
    minio, port = start_minio(a.minio, user, password, os.path.join(tmp, "minio-data"))
    # SIGTERM (ctest's timeout, a killed CI run) ends the run through the
    # finally below: else the MinIO it started was left running
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from offline_export import install_offline
        install_offline(u.hostname, u.port or 80, port)
        os.chdir("/")  # Elyra's root workspace, as export.sh
        run(a)
    finally:
        os.killpg(minio.pid, 15)
        try:
            minio.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(minio.pid, 9)
        subprocess.run(["rm", "-rf", tmp])


def export_one(app, click, state, it, d):
    out_yaml = os.path.join(d, "elyra.yaml")
    if os.path.exists(out_yaml):
        os.unlink(out_yaml)
    state.update(archives={}, issues=[])
    buf = io.StringIO()
    message = None
    if os.environ.get("T3Q_BATCH_TRACE"):
        import faulthandler
        faulthandler.dump_traceback_later(int(os.environ["T3Q_BATCH_TRACE"]), file=sys.__stderr__)
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        try:
            app.pipeline.main(args=["export", "--runtime-config", it["runtime"], "--output", out_yaml,
                                    "--overwrite", it["pipeline"]],
                              prog_name="elyra-pipeline", standalone_mode=False)
        except click.ClickException as e:
            message = e.format_message()
        except Exception as e:  # what the CLI would print as a traceback
            message = "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc())
    exported = message is None and os.path.exists(out_yaml)
    res = {"exported": exported, "message": message, "issues": state["issues"],
           "output": buf.getvalue(), "archives": state["archives"]}
    with open(os.path.join(d, "result.json"), "w") as fh:
        json.dump(res, fh, indent=1, ensure_ascii=False, default=str)


def run(a):
    import click
    import elyra.cli.pipeline_app as app
    import elyra.pipeline.processor as processor

    state = {}
    real_archive = processor.create_temp_archive
    real_print_issues = app._print_issues

    def create_temp_archive(archive_name, source_dir, filenames=None, recursive=False, require_complete=False):
        try:
            path = real_archive(archive_name, source_dir, filenames=filenames, recursive=recursive,
                                require_complete=require_complete)
        except Exception as e:
            state["archives"][archive_name] = {"error": "%s: %s" % (type(e).__name__, e)}
            raise
        with tarfile.open(path) as t:
            state["archives"][archive_name] = sorted(m.name for m in t.getmembers() if not m.isdir())
        return path

    def print_issues(issues):
        state["issues"] = issues
        return real_print_issues(issues)

    processor.create_temp_archive = create_temp_archive
    app._print_issues = print_issues
    # The CLI loads the component cache on every export; once is enough in
    # one process (generic nodes never use it), and reloading it each time
    # slows every later export down.
    app._build_component_cache()
    app._build_component_cache = lambda: None

    with open(a.list) as fh:
        items = [json.loads(line) for line in fh if line.strip()]
    t0 = time.time()
    limit = int(os.environ.get("T3Q_BATCH_TIMEOUT", "20"))
    for n, it in enumerate(items):
        if n % 25 == 0:
            print("batch_export.py: %d/%d after %.1f s" % (n, len(items), time.time() - t0), file=sys.stderr)
        d = os.path.join(a.out, it["id"])
        os.makedirs(d, exist_ok=True)
        # Each export in a forked child of this warm process: a pipeline
        # that Elyra never finishes (autopep8 loops on some generated DSL)
        # is then recorded as such, and cannot stop the batch.
        pid = os.fork()
        if pid == 0:
            try:
                export_one(app, click, state, it, d)
            finally:
                os._exit(0)
        deadline = time.time() + limit
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.time() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                with open(os.path.join(d, "result.json"), "w") as fh:
                    json.dump({"exported": False, "hung": True, "issues": [], "archives": {}, "output": "",
                               "message": "Elyra's export did not finish in %d s" % limit}, fh)
                break
            time.sleep(0.02)
    print("batch_export.py: %d pipelines in %.1f s" % (len(items), time.time() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
