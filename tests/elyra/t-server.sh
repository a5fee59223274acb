#!/usr/bin/env bash
# The t3q runtime in a real Jupyter Server with Elyra 4.0.0: the REST calls
# that JupyterLab's pipeline editor makes. The runtime type and the t3q
# schema are listed; POST /elyra/pipeline/export returns 201 and writes
# t3q-compile's YAML at export_path (relative to the server's root), with
# the archives uploaded by Elyra; POST /elyra/pipeline/validate returns
# t3q-compile's diagnostics as Elyra issues (node id, property, message).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/elyra-lib.sh"
. "$(dirname "$0")/jupyter-lib.sh"
bucket=$(new_bucket)
img=quay.io/t3q/t3q-bootstrap:0.1.0
root=$T/root
mkdir -p "$root/examples" "$root/cases"
cp -r "$T3Q_SRC/examples/iris" "$root/examples/iris"
rm -f "$root/examples/iris/iris.yaml"
for c in 901-cycle 902-missing-file 909-kubernetes-names; do
	cp -r "$T3Q_SRC/tests/compile/$c" "$root/cases/$c"
done
py=$ELYRA_BIN/python

step "a t3q runtime" runtime creds --cos_endpoint="$T3Q_S3_ENDPOINT" --cos_bucket="$bucket" \
	--cos_username="$AWS_ACCESS_KEY_ID" --cos_password="$AWS_SECRET_ACCESS_KEY" \
	--cos_auth_type=USER_CREDENTIALS --bootstrap_image=$img --api_endpoint=http://127.0.0.1:9/pipeline
t0=$(date +%s)
step "Jupyter Server with Elyra and t3q-elyra starts" start_server "$root"
echo "# server up in $(($(date +%s) - t0)) s"

types() {
	api GET /elyra/pipeline/runtimes/types || return 1
	cat "$T/status" "$T/body"
	grep -qx 200 "$T/status" &&
	"$py" -c '
import json, sys
types = json.load(open(sys.argv[1]))["runtime_types"]
kfp = [t for t in types if t["id"] == "KUBEFLOW_PIPELINES"]
assert kfp and kfp[0]["runtime_enabled"], types
assert "yaml" in [f["id"] for f in kfp[0]["export_file_types"]], types' "$T/body"
}
# The t3q processor is of Elyra's (closed) type KUBEFLOW_PIPELINES: with
# ELYRA_PROCESSOR_RUNTIMES unset both kfp and t3q serve it.
step "GET /elyra/pipeline/runtimes/types lists KUBEFLOW_PIPELINES, enabled, with yaml" types
schema() {
	api GET /elyra/schema/runtimes || return 1
	grep -qx 200 "$T/status" &&
	"$py" -c '
import json, sys
s = {x["name"]: x for x in json.load(open(sys.argv[1]))["runtimes"]}
t = s["t3q"]
assert t["title"] == "Kubeflow Pipelines (t3q)" and t["runtime_type"] == "KUBEFLOW_PIPELINES", t
md = t["properties"]["metadata"]["properties"]
assert md["auth_type"]["enum"][0] == "NO_AUTHENTICATION" and len(md["auth_type"]["enum"]) == 6, md["auth_type"]
assert md["engine"]["enum"] == ["Argo"]
assert md["target"]["enum"] == ["kfp-v1", "kfp-v2"] and "default" not in md["target"], md["target"]
for k in ("bootstrap_image", "bootstrap_mode", "data_passing", "cos_upload_endpoint"):
    assert k in md, k' "$T/body"
}
step "GET /elyra/schema/runtimes has the t3q schema" schema
instances() {
	api GET /elyra/metadata/runtimes || return 1
	grep -qx 200 "$T/status" && grep -q '"schema_name": "t3q"' "$T/body"
}
step "GET /elyra/metadata/runtimes has the t3q configuration" instances

export_rest() {
	"$py" "$T3Q_SRC/tests/elyra/payload.py" "$root/examples/iris/iris.pipeline" "$root" creds \
		export out/iris.yaml >"$T/export.json" || return 1
	api POST /elyra/pipeline/export "$T/export.json" || return 1
	cat "$T/status" "$T/body"
	grep -qx 201 "$T/status" || return 1
	grep -q '"export_path": "out/iris.yaml"' "$T/body" || return 1
	[ -s "$root/out/iris.yaml" ] || { echo "no $root/out/iris.yaml"; return 1; }
	"$T3Q_ARGOLINT_BIN" "$root/out/iris.yaml" || return 1
	# The same workflow from t3q-compile, given what the editor sent.
	local dir
	dir=$(yaml_arg "$root/out/iris.yaml" --cos-directory)
	mkdir -p "$T/cmp"
	"$py" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["pipeline"]))' \
		"$T/export.json" >"$T/cmp/iris.pipeline"
	t3q-compile "$T/cmp/iris.pipeline" --base-dir "$root" --runtime-config "$RUNTIMES/creds.json" \
		--cos-directory "$dir" --bootstrap-image $img -o "$T/cmp/iris.yaml" || return 1
	cmp "$T/cmp/iris.yaml" "$root/out/iris.yaml" || return 1
	grep -q '"examples/iris/load_data.py"' "$root/out/iris.yaml" || return 1
	[ "$(t3q s3 ls -r "s3://$bucket/$dir/" | grep -c 'tar.gz$')" = 3 ]
}
step "POST /elyra/pipeline/export: 201, t3q-compile's YAML at export_path, archives uploaded" export_rest

validate_rest() {  # CASE
	local c=$1
	"$py" "$T3Q_SRC/tests/elyra/payload.py" "$root/cases/$c/pipeline.pipeline" "$root" creds >"$T/v.json" || return 1
	api POST /elyra/pipeline/validate "$T/v.json" || return 1
	head -c 3000 "$T/body"
	grep -qx 200 "$T/status" || return 1
	"$py" - "$T/body" "$root/cases/$c/expected.err" <<'PY'
import json, re, sys
issues = json.load(open(sys.argv[1]))["issues"]
golden = open(sys.argv[2]).read()
t3q = [i for i in issues if i["message"].startswith("t3q: ")]
assert t3q, "no t3q issue"
for i in t3q:
    msg = re.sub(r"relative to [^)]*\)", "relative to .)", i["message"][5:])
    # The editor's paths are the root's: the golden's are the pipeline's.
    msg = msg.replace("'cases/" + sys.argv[2].split("/")[-2] + "/", "'")
    assert msg.split(" (")[0] in golden, msg
    d = i["data"]
    if d.get("nodeID"):
        assert f"({d['nodeID']})" in golden, d
    if d.get("propertyName"):
        assert f": {d['propertyName']}: " in golden, d
print(len(t3q), "t3q issues, each the golden's")
PY
}
for c in 901-cycle 902-missing-file 909-kubernetes-names; do
	step "POST /elyra/pipeline/validate returns t3q's diagnostics for $c" validate_rest $c
done
step "no traceback in the server log" sh -c "! grep -n Traceback '$T/server.log'"

finish
