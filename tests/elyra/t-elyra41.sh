#!/usr/bin/env bash
# The t3q runtime in Elyra 4.1.1 (kfp 2.17, the kfp 2 client) of
# $T3Q_ELYRA41_VENV: elyra-metadata creates a t3q runtime; elyra-pipeline
# export writes exactly t3q-compile's output with the same settings: pipeline
# IR by default (target kfp-v2), the Argo workflow with target kfp-v1 (every
# KFP backend's Argo validator passes), with every archive in the bucket,
# and IR for a pipeline of custom components (golden 055, its components in
# a local-directory-catalog);
# elyra-pipeline submit goes through Elyra 4.1's own process() (the kfp 2
# client, the v2beta1 API) to a stand-in KFP 2.17 server
# (tests/elyra/fake_kfp2.py): both targets run, first and second submit; a
# server that blocks v1 pipelines refuses a kfp-v1 run, and the message
# says to switch the target to kfp-v2, without a traceback or a "None" line.
elyra_venv=
. "$(dirname "$0")/../lib.sh"
[ "${T3Q_SANITIZE:-}" = 1 ] && skip_all "the Elyra tests run in the plain build only"
. "$T3Q_SRC/tests/tools/versions.sh"
[ -x "$T3Q_ELYRA41_VENV/bin/elyra-pipeline" ] ||
	skip_all "no Elyra 4.1 venv at $T3Q_ELYRA41_VENV: run scripts/install-test-deps"
t3q_argolint_ready || skip_all "the argolint validators are not built: run scripts/install-test-deps"
elyra_venv=$T3Q_ELYRA41_VENV
. "$(dirname "$0")/elyra-lib.sh"
bucket=$(new_bucket)
img=quay.io/t3q/t3q-bootstrap:0.1.0
dead=$(free_port)
cos=(--cos_endpoint="$T3Q_S3_ENDPOINT" --cos_bucket="$bucket" --cos_username="$AWS_ACCESS_KEY_ID"
     --cos_password="$AWS_SECRET_ACCESS_KEY" --cos_auth_type=USER_CREDENTIALS --bootstrap_image=$img)

versions() {
	"$ELYRA_BIN/python" -c 'from importlib.metadata import version as v; print(v("elyra"), v("kfp"))' >"$T/versions" || return 1
	cat "$T/versions"
	grep -q '^4\.1\.1 2\.' "$T/versions"
}
step "the venv holds Elyra 4.1.1 with kfp 2" versions
step "elyra-metadata creates a t3q runtime" runtime creds "${cos[@]}" \
	--api_endpoint="http://127.0.0.1:$dead/pipeline"

# export_iris RUNTIME TARGET: export = t3q-compile with that target.
export_iris() {
	local d=$T/iris-$1 dir a
	cp -r "$T3Q_SRC/examples/iris" "$d"
	(cd "$d" && expect_rc 0 elyra-pipeline export --runtime-config "$1" --output "$d/elyra.yaml" iris.pipeline) ||
		return 1
	! grep -q Traceback "$T/out" || return 1
	dir=$(yaml_arg "$d/elyra.yaml" --cos-directory)
	[ -n "$dir" ] || { echo "no --cos-directory in the export"; return 1; }
	(cd "$d" && t3q-compile iris.pipeline --runtime-config "$RUNTIMES/$1.json" --cos-directory "$dir" \
		--target "$2" --bootstrap-image $img -o "$d/t3q.yaml") || return 1
	cmp "$d/t3q.yaml" "$d/elyra.yaml" || { diff -u "$d/t3q.yaml" "$d/elyra.yaml" | head -40; return 1; }
	if [ "$2" = kfp-v1 ]; then
		"$T3Q_LINT_ALL" "$d/elyra.yaml" || return 1
	else
		grep -q '^schemaVersion: "2.1.0"$' "$d/elyra.yaml" || { echo "no IR"; return 1; }
	fi
	for a in $(grep -A1 -- '- "--cos-dependencies-archive"$' "$d/elyra.yaml" |
		sed -n 's/^ *- "\(.*\.tar\.gz\)"$/\1/p' | sort -u); do
		t3q s3 ls "s3://$bucket/$dir/$a" | grep -qF "$a" ||
			{ echo "archive $dir/$a is not in the bucket"; return 1; }
	done
	echo "ok: $(wc -c <"$d/elyra.yaml") bytes, directory $dir"
}
step "iris: export with no target = t3q-compile --target kfp-v2 (IR), archives uploaded" export_iris creds kfp-v2
step "a t3q runtime with target kfp-v1" runtime credsv1 "${cos[@]}" --target=kfp-v1 \
	--api_endpoint="http://127.0.0.1:$dead/pipeline"
step "iris: export with kfp-v1 = t3q-compile, every KFP backend's validator passes, archives uploaded" \
	export_iris credsv1 kfp-v1

py_refused() {
	local d=$T/py
	cp -r "$T3Q_SRC/examples/iris" "$d"
	(cd "$d" && expect_rc 1 elyra-pipeline export --runtime-config creds --format py --output "$d" iris.pipeline) ||
		return 1
	expect_out "The t3q runtime exports only 'yaml'" || return 1
	! grep -q Traceback "$T/out" && [ ! -e "$d/iris.py" ]
}
step "export --format py is refused with a clear message" py_refused

# Custom components on KFP v2: golden 055 (its components in a
# local-directory-catalog installed as Elyra catalog metadata, its nodes
# naming it); the t3q runtime hands the definitions over from Elyra's
# component cache, and the export is t3q-compile --target kfp-v2's.
custom_v2_export() {
	local d=$T/custom055
	mkdir -p "$d/components" "$JUPYTER_DATA_DIR/metadata/component-catalogs"
	cp "$T3Q_SRC"/tests/compile/055-custom-component-v2/{echo_args,consume}.yaml "$d/components/"
	"$ELYRA_BIN/python" - "$T3Q_SRC/tests/compile/055-custom-component-v2/pipeline.pipeline" "$d" <<'PY' || return 1
import hashlib, json, os, sys
src, d = sys.argv[1:]
doc = json.load(open(src))
for n in doc["pipelines"][0]["nodes"]:
    f = json.loads(n["app_data"]["component_source"])["component_ref"]["path"]
    n["op"] = "local-directory-catalog:" + hashlib.sha256(f.encode()).hexdigest()[:12]
    n["app_data"]["component_source"] = json.dumps({"catalog_type": "local-directory-catalog",
        "component_ref": {"base_dir": os.path.join(d, "components"), "path": f}})
json.dump(doc, open(os.path.join(d, "p.pipeline"), "w"), indent=1, ensure_ascii=False)
json.dump({"display_name": "own", "schema_name": "local-directory-catalog",
           "metadata": {"runtime_type": "KUBEFLOW_PIPELINES", "categories": [],
                        "paths": [os.path.join(d, "components")], "include_subdirs": False}},
          open(os.path.join(os.environ["JUPYTER_DATA_DIR"], "metadata", "component-catalogs", "own.json"), "w"))
PY
	(cd "$d" && expect_rc 0 elyra-pipeline export --runtime-config creds --output "$d/elyra.yaml" p.pipeline) ||
		return 1
	! grep -q Traceback "$T/out" || return 1
	(cd "$d" && t3q-compile p.pipeline --runtime-config "$RUNTIMES/creds.json" --target kfp-v2 \
		--components "$d/components" --bootstrap-image $img -o "$d/t3q.yaml") || return 1
	cmp "$d/t3q.yaml" "$d/elyra.yaml" || { diff -u "$d/t3q.yaml" "$d/elyra.yaml" | head -40; return 1; }
	grep -q 'outputs.parameters' "$d/elyra.yaml" && grep -q 'IfPresent' "$d/elyra.yaml" ||
		{ echo "no custom component in the export"; return 1; }
}
step "custom components: export with no target = t3q-compile --target kfp-v2 (golden 055)" custom_v2_export

# submit RUNTIME STANDIN: elyra-pipeline submit of iris, which prints the
# run URL of the stand-in's last run.
submit() {
	local id
	[ -d "$T/iris" ] || cp -r "$T3Q_SRC/examples/iris" "$T/iris"
	(cd "$T/iris" && expect_rc 0 elyra-pipeline submit --runtime-config "$1" iris.pipeline) || return 1
	! grep -q Traceback "$T/out" || return 1
	id=$("$ELYRA_BIN/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][-1]["id"])' \
		"$T/kfp2-$2.json") || return 1
	expect_out "http://kfp.example/pipeline/#/runs/details/$id"
}

# same_as_t3q STANDIN RUNTIME TARGET: the last upload is t3q-compile's output.
same_as_t3q() {
	local f dir
	f=$(ls -t "$T/kfp2-$1.json.d"/*.yaml | head -1) || return 1
	dir=$(yaml_arg "$f" --cos-directory)
	(cd "$T/iris" && t3q-compile iris.pipeline --runtime-config "$RUNTIMES/$2.json" --target "$3" \
		--cos-directory "$dir" --bootstrap-image $img -o "$T/t3q.yaml") || return 1
	cmp "$T/t3q.yaml" "$f"
}

kfp2_start v2
step "a t3q runtime with no target (kfp-v2 under Elyra 4.1)" runtime v2 "${cos[@]}" \
	--api_endpoint="http://127.0.0.1:$KFP2_PORT" --public_api_endpoint=http://kfp.example/pipeline
step "no target: first submit runs" submit v2 v2
step "no target: the upload is t3q-compile's IR" same_as_t3q v2 v2 kfp-v2
step "no target: second submit runs" submit v2 v2
v2_runs() {
	kfp2_assert v2 '
assert [v["kind"] for v in versions] == ["v2", "v2"] and len(runs) == 2
assert [r["pipeline_version_id"] for r in runs] == [v["id"] for v in versions]
assert all(r["api"] == "v2beta1" and r["pipeline_id"] == iris["id"] for r in runs)
assert runs[0]["parameters"] == {"MAX_DEPTH": 1, "TEST_SIZE": 0.3, "SEED": 7}, runs[0]
assert s["experiments"][runs[0]["experiment_id"]]["name"] == "iris"'
}
step "no target: runs of the first and the second IR version, with the defaults" v2_runs

# run_with_seed STANDIN: a run of iris's last version through the kfp 2
# client (v2beta1) with SEED=9.
run_with_seed() {
	"$ELYRA_BIN/python" - "$KFP2_PORT" <<-'PY'
	import sys, kfp
	c = kfp.Client(host="http://127.0.0.1:" + sys.argv[1])
	pid = c.get_pipeline_id("iris")
	vid = c.list_pipeline_versions(pipeline_id=pid).pipeline_versions[-1].pipeline_version_id
	e = c.create_experiment("iris")
	c.run_pipeline(experiment_id=e.experiment_id, job_name="with-seed", pipeline_id=pid, version_id=vid,
	               params={"SEED": 9})
	PY
}
v2_params() {
	run_with_seed || return 1
	kfp2_assert v2 'assert runs[-1]["name"] == "with-seed" and runs[-1]["parameters"]["SEED"] == 9, runs[-1]'
}
step "stand-in: v2beta1 parameters reach an IR run" v2_params

kfp2_start v1
step "a t3q runtime with target kfp-v1" runtime v1 "${cos[@]}" --target=kfp-v1 \
	--api_endpoint="http://127.0.0.1:$KFP2_PORT" --public_api_endpoint=http://kfp.example/pipeline
step "kfp-v1: first submit runs" submit v1 v1
step "kfp-v1: the upload is t3q-compile's workflow" same_as_t3q v1 v1 kfp-v1
v1_run() {
	kfp2_assert v1 '
assert [v["kind"] for v in versions] == ["v1"] and len(runs) == 1
assert runs[0]["pipeline_version_id"] == versions[0]["id"] and runs[0]["api"] == "v2beta1"
assert runs[0]["parameters"] == {"MAX_DEPTH": "1", "TEST_SIZE": "0.3", "SEED": "7"}, runs[0]'
}
step "kfp-v1: the run is of the v1 version" v1_run
v1_params() {
	run_with_seed || return 1
	kfp2_assert v1 '
r = runs[-1]
assert r["name"] == "with-seed" and r["parameters"]["SEED"] == "7" and r["dropped_parameters"] == {"SEED": 9}, r'
}
step "stand-in as recorded: v2beta1 parameters are dropped for a v1 run" v1_params

kfp2_start blocked --block-v1
step "runtimes against a server that blocks v1 pipelines" runtime blocked "${cos[@]}" --target=kfp-v1 \
	--api_endpoint="http://127.0.0.1:$KFP2_PORT"
blocked() {
	(cd "$T/iris" && expect_rc 1 elyra-pipeline submit --runtime-config blocked iris.pipeline) || return 1
	expect_out "refuses to run v1 pipelines" || return 1
	expect_out "Set the target of runtime configuration 'blocked' to kfp-v2" || return 1
	expect_out "Namespace kubeflow is not allowed to run v1 pipelines" || return 1
	! grep -q Traceback "$T/out" || return 1
	! grep -qx ' *None *' "$T/out" || { echo "a stray None line"; return 1; }
	kfp2_assert blocked 'assert len(versions) == 1 and not runs'
}
step "blocked v1: refused, with what to do (target kfp-v2), no None line" blocked
switched() {
	elyra-metadata update runtimes --schema_name=t3q --name=blocked --target=kfp-v2 >"$T/update.log" 2>&1 ||
		{ cat "$T/update.log"; return 1; }
	(cd "$T/iris" && expect_rc 0 elyra-pipeline submit --runtime-config blocked iris.pipeline) || return 1
	kfp2_assert blocked 'assert [v["kind"] for v in versions] == ["v1", "v2"] and len(runs) == 1
assert runs[0]["pipeline_version_id"] == versions[1]["id"]'
}
step "after 'elyra-metadata update ... --target=kfp-v2' as the message says, the run goes through" switched

finish
