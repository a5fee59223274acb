#!/usr/bin/env bash
# Run from a real JupyterLab 4 with Elyra 4.1.1 (the kfp 2 client) of
# $T3Q_ELYRA41_VENV, in headless Chromium, against stand-in KFP 2.17 API
# servers (tests/elyra/fake_kfp2.py) and the test's MinIO:
#   - the runtime editor (Runtimes panel) shows a t3q configuration's
#     Target, kfp-v1, with its choices;
#   - Run on examples/iris/iris.pipeline with that configuration and
#     SEED=9 in the Run dialog: the success dialog links the stand-in's run;
#     the upload is an Argo workflow, t3q-compile's for what the editor
#     sent, and the run has SEED 9;
#   - a configuration made in the runtime editor with Target kfp-v2 is
#     saved with that target; Run with it and MAX_DEPTH=3 uploads
#     t3q-compile's pipeline IR and runs it with MAX_DEPTH 3;
#   - Run against a server that blocks v1 pipelines: the error dialog says
#     to switch the target to kfp-v2, and no run is created.
# Screenshots are kept in the build dir (tests/elyra41-screenshots/). Needs
# Debian's chromium and playwright-core (scripts/install-test-deps).
elyra_venv=
. "$(dirname "$0")/../lib.sh"
[ "${T3Q_SANITIZE:-}" = 1 ] && skip_all "the Elyra tests run in the plain build only"
. "$T3Q_SRC/tests/tools/versions.sh"
[ -x "$T3Q_ELYRA41_VENV/bin/jupyter-lab" ] ||
	skip_all "no JupyterLab in the Elyra 4.1 venv at $T3Q_ELYRA41_VENV: run scripts/install-test-deps"
elyra_venv=$T3Q_ELYRA41_VENV
. "$(dirname "$0")/elyra-lib.sh"
. "$(dirname "$0")/jupyter-lib.sh"
browser_setup elyra41-screenshots
bucket=$(new_bucket)
img=quay.io/t3q/t3q-bootstrap:0.1.0
kfp_ui=http://kfp.example/pipeline
root=$T/root
mkdir -p "$root/examples"
cp -r "$T3Q_SRC/examples/iris" "$root/examples/iris"
cos=(--cos_endpoint="$T3Q_S3_ENDPOINT" --cos_bucket="$bucket" --cos_username="$AWS_ACCESS_KEY_ID"
     --cos_password="$AWS_SECRET_ACCESS_KEY" --cos_auth_type=USER_CREDENTIALS --bootstrap_image=$img)

versions() {
	"$ELYRA_BIN/python" -c 'from importlib.metadata import version as v; print(v("elyra"), v("kfp"), v("jupyterlab"))' \
		>"$T/versions" || return 1
	cat "$T/versions"
	grep -q '^4\.1\.1 2\.[0-9.]* 4\.' "$T/versions"
}
step "the venv holds Elyra 4.1.1, kfp 2 and JupyterLab 4" versions

kfp2_start v1
port_v1=$KFP2_PORT
step "a t3q runtime with target kfp-v1" runtime t3q-v1 --display_name="t3q kfp-v1" "${cos[@]}" --target=kfp-v1 \
	--api_endpoint="http://127.0.0.1:$port_v1" --public_api_endpoint=$kfp_ui
kfp2_start v2
port_v2=$KFP2_PORT
kfp2_start blocked --block-v1
step "a kfp-v1 runtime against a server that blocks v1 pipelines" runtime t3q-blocked \
	--display_name="t3q kfp-v1, v1 blocked" "${cos[@]}" --target=kfp-v1 \
	--api_endpoint="http://127.0.0.1:$KFP2_PORT" --public_api_endpoint=$kfp_ui
t0=$(date +%s)
step "JupyterLab with Elyra 4.1.1 and t3q-elyra starts" start_server "$root" lab
echo "# JupyterLab up in $(($(date +%s) - t0)) s"

# browser SCRIPT ARGS...: tests/elyra/jupyterlab-SCRIPT.js on iris; its
# output in $T/out (expect_out reads it).
browser() {
	local script=$1 t0 rc=0
	shift
	t0=$(date +%s)
	node "$T3Q_SRC/tests/elyra/jupyterlab-$script.js" "$base" "$token" examples/iris/iris.pipeline "$@" \
		>"$T/out" 2>&1 || rc=$?
	cat "$T/out"
	echo "# browser: $(($(date +%s) - t0)) s"
	return $rc
}

seen_v1() {
	browser runtime "$shots" 1-show show "t3q kfp-v1" || return 1
	expect_out "target: kfp-v1" && expect_out "choices:  | kfp-v1 | kfp-v2"
}
step "the runtime editor shows the configuration's Target, kfp-v1, and the choices" seen_v1

# run NAME CONFIG_LABEL [PARAM=VALUE...]: Run in the browser, which must
# succeed and link the run of stand-in NAME; the request the editor sent
# is $T/run-NAME/iris.pipeline.
run() {
	local name=$1 label=$2 id
	shift 2
	mkdir -p "$T/run-$name"
	browser run "$label" "$shots" "$name" "$T/run-$name/iris.pipeline" "$@" || return 1
	# The title names the "platform": the title of the first runtimes
	# schema of type KUBEFLOW_PIPELINES in Elyra's cached schema list. The
	# Runtimes panel sorts that list by title in place when its fetch is
	# the one cached, so it is "Kubeflow Pipelines" (Elyra's kfp schema)
	# or "Kubeflow Pipelines (t3q)" (the server's order), a race in
	# Elyra's frontend that CI lost once.
	grep -qE '^title: Job submission to Kubeflow Pipelines( \(t3q\))? succeeded$' "$T/out" ||
		{ echo "output lacks: title: Job submission to Kubeflow Pipelines[ (t3q)] succeeded"; return 1; }
	id=$("$ELYRA_BIN/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][-1]["id"])' \
		"$T/kfp2-$name.json") || return 1
	expect_out "link: $kfp_ui/#/runs/details/$id"
}

# uploaded_is_t3q NAME RUNTIME TARGET: the stand-in's one upload is what
# t3q-compile writes for the pipeline the editor sent.
uploaded_is_t3q() {
	local f dir
	f=$(ls "$T/kfp2-$1.json.d"/*.yaml) || return 1
	dir=$(yaml_arg "$f" --cos-directory)
	[ -n "$dir" ] || { echo "no --cos-directory in $f"; return 1; }
	t3q-compile "$T/run-$1/iris.pipeline" --base-dir "$root" --runtime-config "$RUNTIMES/$2.json" \
		--target "$3" --cos-directory "$dir" --bootstrap-image $img -o "$T/t3q-$1.yaml" || return 1
	cmp "$T/t3q-$1.yaml" "$f" || { diff -u "$T/t3q-$1.yaml" "$f" | head -30; return 1; }
	if [ "$3" = kfp-v1 ]; then
		"$T3Q_ARGOLINT_BIN" "$f" || return 1
	else
		grep -q '^schemaVersion: "2.1.0"$' "$f" || { echo "no IR"; return 1; }
	fi
	[ "$(t3q s3 ls -r "s3://$bucket/$dir/" | grep -c 'tar.gz$')" = 3 ] ||
		{ echo "not 3 archives in s3://$bucket/$dir/"; return 1; }
}

step "Run, 't3q kfp-v1', SEED=9: succeeded, the dialog links the run" run v1 "t3q kfp-v1" SEED=9
v1_run() {
	kfp2_assert v1 '
assert [v["kind"] for v in versions] == ["v1"] and len(runs) == 1
r = runs[0]
assert (r["api"], r["pipeline_id"], r["pipeline_version_id"]) == ("v2beta1", iris["id"], versions[0]["id"])
assert r["parameters"] == {"MAX_DEPTH": "1", "TEST_SIZE": "0.3", "SEED": "9"}, r
assert s["experiments"][r["experiment_id"]]["name"] == "iris"'
}
step "kfp-v1: the stand-in holds a v1 version and its run, with SEED 9" v1_run
step "kfp-v1: the upload is t3q-compile's Argo workflow, the archives are in the bucket" uploaded_is_t3q v1 t3q-v1 kfp-v1

made_v2() {
	browser runtime "$shots" 2-new new display_name="t3q kfp-v2, made in the editor" \
		api_endpoint="http://127.0.0.1:$port_v2" public_api_endpoint=$kfp_ui \
		cos_endpoint="$T3Q_S3_ENDPOINT" cos_bucket="$bucket" cos_username="$AWS_ACCESS_KEY_ID" \
		cos_password="$AWS_SECRET_ACCESS_KEY" bootstrap_image=$img target=kfp-v2 || return 1
	expect_out "target: kfp-v2" || return 1
	grep -l '"t3q kfp-v2, made in the editor"' "$RUNTIMES"/*.json >"$T/made" || { ls "$RUNTIMES"; return 1; }
	[ "$(wc -l <"$T/made")" = 1 ] || return 1
	"$ELYRA_BIN/python" -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["schema_name"] == "t3q" and m["metadata"]["target"] == "kfp-v2", m' "$(cat "$T/made")"
}
step "the runtime editor makes a t3q configuration with Target kfp-v2" made_v2
made=$(basename "$(cat "$T/made" 2>/dev/null)" .json)

step "Run, the new configuration, MAX_DEPTH=3: succeeded, the dialog links the run" \
	run v2 "t3q kfp-v2, made in the editor" MAX_DEPTH=3
v2_run() {
	kfp2_assert v2 '
assert [v["kind"] for v in versions] == ["v2"] and len(runs) == 1
r = runs[0]
assert (r["api"], r["pipeline_id"], r["pipeline_version_id"]) == ("v2beta1", iris["id"], versions[0]["id"])
assert r["parameters"] == {"MAX_DEPTH": 3, "TEST_SIZE": 0.3, "SEED": 7}, r'
}
step "kfp-v2: the stand-in holds an IR version and its run, with MAX_DEPTH 3" v2_run
step "kfp-v2: the upload is t3q-compile's IR, the archives are in the bucket" uploaded_is_t3q v2 "$made" kfp-v2
step "no traceback in the JupyterLab log" sh -c "! grep -n Traceback '$T/server.log'"

blocked() {
	mkdir -p "$T/run-blocked"
	browser run "t3q kfp-v1, v1 blocked" "$shots" blocked "$T/run-blocked/iris.pipeline" || return 1
	expect_out "title: Error making request" || return 1
	expect_out "The Kubeflow Pipelines server refuses to run v1 pipelines" || return 1
	expect_out "Set the target of runtime configuration 't3q-blocked' to kfp-v2" || return 1
	expect_out "in the Runtimes panel" || return 1
	! grep -qx ' *None *' "$T/out" || { echo "a stray None line"; return 1; }
	kfp2_assert blocked 'assert len(versions) == 1 and not runs and len(s["errors"]) == 1, s["errors"]
assert "not allowed to run v1 pipelines" in s["errors"][0]'
}
step "Run against a server that blocks v1: the error dialog says to switch the target to kfp-v2" blocked

finish
