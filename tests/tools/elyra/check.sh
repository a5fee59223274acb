#!/usr/bin/env bash
# check.sh: the self-check of the Elyra peer exporter (export.sh). Exports
# two of Elyra's own KFP test pipelines (from the Elyra wheel in the venv,
# site-packages/elyra/tests/pipeline/resources/test_pipelines/kfp) and
# checks that the result is Elyra's Argo shape.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../versions.sh"
py=$T3Q_ELYRA_VENV/bin/python
if [ ! -x "$py" ]; then
	echo "check.sh: no Elyra venv at $T3Q_ELYRA_VENV; run scripts/install-test-deps" >&2
	exit 1
fi
pipelines=$(t3q_elyra_pkg)/tests/pipeline/resources/test_pipelines/kfp
if [ ! -d "$pipelines" ]; then
	echo "check.sh: Elyra's test pipelines are not at $pipelines" >&2
	exit 1
fi

# The shared preamble: $T, step, finish.
. "$here/../../lib.sh"

# stage NAME FILE: copies Elyra's FILE.pipeline as NAME.pipeline into its own dir with
# empty stand-ins for the node files (and dependencies) it names.
stage() {
	local d=$T/$1
	mkdir -p "$d"
	cp "$pipelines/$2.pipeline" "$d/$1.pipeline" || return 1
	"$py" - "$d/$1.pipeline" <<'EOF'
import json, os, sys
path = sys.argv[1]
base = os.path.dirname(path)
with open(path) as f:
    doc = json.load(f)
notebook = '{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}\n'
for p in doc["pipelines"]:
    for node in p["nodes"]:
        params = node.get("app_data", {}).get("component_parameters", {})
        files = [params.get("filename")] + list(params.get("dependencies") or [])
        for name in filter(None, files):
            if "*" in name:
                continue
            dest = os.path.join(base, name)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w") as f:
                f.write(notebook if name.endswith(".ipynb") else "")
EOF
}

# check_yaml FILE NODES: Elyra's Argo shape, NODES generic container steps.
check_yaml() {
	"$py" - "$1" "$2" <<'EOF'
import sys, yaml
with open(sys.argv[1]) as f:
    wf = yaml.safe_load(f)
nodes = int(sys.argv[2])
errors = []
if wf.get("apiVersion") != "argoproj.io/v1alpha1":
    errors.append(f"apiVersion is {wf.get('apiVersion')!r}")
if wf.get("kind") != "Workflow":
    errors.append(f"kind is {wf.get('kind')!r}")
templates = {t["name"]: t for t in wf.get("spec", {}).get("templates", [])}
if "run-a-file" not in templates:
    errors.append(f"no run-a-file template among {sorted(templates)}")
containers = [t for t in templates.values() if "container" in t]
if len(containers) != nodes:
    errors.append(f"{len(containers)} container templates, want {nodes}")
for t in containers:
    c = t["container"]
    if c.get("command") != ["sh", "-c"]:
        errors.append(f"{t['name']}: command is {c.get('command')!r}")
    if "python3 bootstrapper.py" not in "\n".join(c.get("args", [])):
        errors.append(f"{t['name']}: no 'python3 bootstrapper.py' in its args")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
EOF
}

for case in one-node-generic-elyra-properties:1 multi-node-generic:3; do
	name=pipeline-test_pipelines-kfp-kfp-${case%:*}
	nodes=${case#*:}
	step "stage $name" stage "$name" "kfp-${case%:*}"
	step "export $name" "$here/export.sh" "$T/$name/$name.pipeline" "$T/$name.yaml"
	if [ -s "$T/$name.yaml" ]; then
		step "$name: Argo workflow, run-a-file, bootstrapper.py" check_yaml "$T/$name.yaml" "$nodes"
	fi
done

# No-network guard: a name other than cos_endpoint's host never resolves.
step "export refuses the network" "$py" - "$here/offline_export.py" <<'EOF'
import runpy, socket, sys
wrapper = sys.argv[1]
sys.argv = [wrapper, "minio.example", "9000", "1", "--", "--version"]
try:
    runpy.run_path(wrapper, run_name="__main__")
except SystemExit:
    pass
try:
    socket.getaddrinfo("kfp.example", 8888)
except socket.gaierror:
    pass
else:
    sys.exit("kfp.example resolved")
try:
    socket.create_connection(("192.0.2.1", 80), timeout=1)
except OSError as e:
    if "no network" not in str(e):
        sys.exit(f"unexpected error: {e}")
else:
    sys.exit("connected to 192.0.2.1")
if socket.getaddrinfo("minio.example", 9000)[0][4] != ("127.0.0.1", 1):
    sys.exit("cos_endpoint not redirected")
EOF

finish
