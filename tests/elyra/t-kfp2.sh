#!/usr/bin/env bash
# Elyra 4.0.0 (the kfp 1.8 client, the v1beta1 API) with the t3q runtime
# against a stand-in KFP 2.17 API server (tests/elyra/fake_kfp2.py, which
# behaves as the issue #23 records of a real 2.17: a pipeline's first
# version has an id of its own; BLOCK_V1_PIPELINES refuses v1 runs with a
# 400). The first submit of a new pipeline runs, with the real version id
# (Elyra's own kfp runtime fails there: "PipelineVersion <id> not found"),
# the second runs the new version; both targets upload what t3q-compile
# writes; a blocked v1 run says to switch the target to kfp-v2.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/elyra-lib.sh"
bucket=$(new_bucket)
img=quay.io/t3q/t3q-bootstrap:0.1.0
cos=(--cos_endpoint="$T3Q_S3_ENDPOINT" --cos_bucket="$bucket" --cos_username="$AWS_ACCESS_KEY_ID"
     --cos_password="$AWS_SECRET_ACCESS_KEY" --cos_auth_type=USER_CREDENTIALS)
cp -r "$T3Q_SRC/examples/iris" "$T/iris"

# submit RUNTIME: elyra-pipeline submit of the iris example, which must
# print the run URL of the stand-in's last run.
submit() {
	(cd "$T/iris" && expect_rc 0 elyra-pipeline submit --runtime-config "$1" iris.pipeline) || return 1
	! grep -q Traceback "$T/out" || return 1
	local id
	id=$("$ELYRA_BIN/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][-1]["id"])' \
		"$T/kfp2-$2.json") || return 1
	expect_out "http://kfp.example/pipeline/#/runs/details/$id"
}

# same_as_t3q STANDIN RUNTIME TARGET: the last version uploaded is what
# t3q-compile writes for that target and the run's object-store directory.
same_as_t3q() {
	local f dir
	f=$(ls -t "$T/kfp2-$1.json.d"/*.yaml | head -1) || return 1
	dir=$(yaml_arg "$f" --cos-directory)
	[ -n "$dir" ] || { echo "no --cos-directory in $f"; return 1; }
	(cd "$T/iris" && t3q-compile iris.pipeline --runtime-config "$RUNTIMES/$2.json" --target "$3" \
		--cos-directory "$dir" --bootstrap-image $img -o "$T/t3q.yaml") || return 1
	cmp "$T/t3q.yaml" "$f" || { diff -u "$T/t3q.yaml" "$f" | head -30; return 1; }
}

kfp2_start v1
step "a t3q runtime with no target (kfp-v1 under Elyra 4.0)" runtime v1 "${cos[@]}" --bootstrap_image=$img \
	--api_endpoint="http://127.0.0.1:$KFP2_PORT" --public_api_endpoint=http://kfp.example/pipeline
step "first submit of a new pipeline runs" submit v1 v1
first_run() {
	kfp2_assert v1 '
assert len(versions) == 1 and len(runs) == 1
assert versions[0]["id"] != iris["id"] and versions[0]["kind"] == "v1"
r = runs[0]
assert (r["api"], r["pipeline_id"], r["pipeline_version_id"]) == ("v1beta1", iris["id"], versions[0]["id"])
assert r["parameters"] == {"MAX_DEPTH": "1", "TEST_SIZE": "0.3", "SEED": "7"}
assert s["experiments"][r["experiment_id"]]["name"] == "iris"
'
}
step "the run is of the pipeline's first version (its own id), with the defaults" first_run
step "the upload is t3q-compile's v1 workflow" same_as_t3q v1 v1 kfp-v1
step "second submit runs" submit v1 v1
second_run() {
	kfp2_assert v1 '
assert len(versions) == 2 and len(runs) == 2
assert runs[1]["pipeline_version_id"] == versions[1]["id"] != versions[0]["id"]
assert versions[1]["name"].startswith("iris-")
'
}
step "the second run is of the second version" second_run
v1_params() {
	"$ELYRA_BIN/python" - "$KFP2_PORT" <<-'PY' || return 1
	import json, sys, kfp
	c = kfp.Client(host="http://127.0.0.1:" + sys.argv[1])
	p = c.get_pipeline(c.get_pipeline_id("iris"))
	e = c.create_experiment("iris")
	c.run_pipeline(e.id, "with-seed", version_id=p.default_version.id, params={"SEED": "9"})
	try:
	    c.run_pipeline(e.id, "unknown", version_id=p.default_version.id, params={"NOPE": "1"})
	    sys.exit("a parameter the template lacks was accepted")
	except Exception as x:
	    assert "NOPE" in str(x), x
	PY
	kfp2_assert v1 'assert runs[-1]["name"] == "with-seed" and runs[-1]["parameters"]["SEED"] == "9", runs[-1]'
}
step "stand-in: v1beta1 run parameters reach a v1 run; unknown ones are refused" v1_params

kfp2_start v2
step "a t3q runtime with target kfp-v2" runtime v2 "${cos[@]}" --target=kfp-v2 \
	--api_endpoint="http://127.0.0.1:$KFP2_PORT" --public_api_endpoint=http://kfp.example/pipeline
step "kfp-v2: first submit runs" submit v2 v2
v2_run() {
	kfp2_assert v2 '
assert len(versions) == 1 and versions[0]["kind"] == "v2" and len(runs) == 1
assert runs[0]["pipeline_version_id"] == versions[0]["id"] != iris["id"]
assert runs[0]["parameters"] == {"MAX_DEPTH": 1, "TEST_SIZE": 0.3, "SEED": 7}, runs[0]
'
}
step "kfp-v2: the run is of the IR version" v2_run
step "kfp-v2: the upload is t3q-compile's IR" same_as_t3q v2 v2 kfp-v2

kfp2_start kfp
step "Elyra's own kfp runtime against the stand-in" elyra-metadata create runtimes --schema_name=kfp --name=kfp \
	--display_name=kfp --runtime_type=KUBEFLOW_PIPELINES "${cos[@]}" --engine=Argo \
	--api_endpoint="http://127.0.0.1:$KFP2_PORT"
elyra_first() {
	# Elyra 4.0's own compiler cannot compile iris's parameters: a notebook.
	cp -r "$T3Q_SRC/tests/compile/001-one-notebook" "$T/one"
	(cd "$T/one" && expect_rc 1 elyra-pipeline submit --runtime-config kfp pipeline.pipeline) || return 1
	kfp2_assert kfp '
(p,) = s["pipelines"].values()
assert len(s["versions"]) == 1 and not runs
assert s["errors"] == ["PipelineVersion %s not found" % p["id"]], s["errors"]'
}
step "stand-in as recorded: Elyra's own runtime fails its first submit, the run names the pipeline id" elyra_first

kfp2_start blocked --block-v1
step "a kfp-v1 t3q runtime against a server that blocks v1 pipelines" runtime blocked "${cos[@]}" \
	--bootstrap_image=$img --target=kfp-v1 --api_endpoint="http://127.0.0.1:$KFP2_PORT"
blocked() {
	(cd "$T/iris" && expect_rc 1 elyra-pipeline submit --runtime-config blocked iris.pipeline) || return 1
	expect_out "refuses to run v1 pipelines" || return 1
	expect_out "Set the target of runtime configuration 'blocked' to kfp-v2" || return 1
	expect_out "Namespace kubeflow is not allowed to run v1 pipelines" || return 1
	# the cause line is the server's message itself, not Elyra's wrapping
	grep "the server said:" "$T/out"
	grep -q "the server said: Namespace kubeflow is not allowed to run v1 pipelines. Please migrate to using KFP V2 pipelines.$" "$T/out" || return 1
	! grep -q Traceback "$T/out" || return 1
	! grep -qx ' *None *' "$T/out" || { echo "a stray None line"; return 1; }
	kfp2_assert blocked 'assert len(versions) == 1 and not runs'
}
step "blocked v1: refused, with what to do (target kfp-v2), no None line" blocked
# A refusal with no HTTP body on the way (another client's exceptions):
# the message of the innermost error that names it, not its wrappers'.
no_body() {
	"$ELYRA_BIN/python" -c 'from t3q_elyra.processor import _server_message
inner = RuntimeError("Namespace x is not allowed to run v1 pipelines.")
outer = RuntimeError("failed: Namespace x is not allowed to run v1 pipelines.")
outer.__cause__ = inner
got = _server_message(outer)
assert got == str(inner), got
assert _server_message(ValueError("other")) == "v1 pipelines are blocked"
# the refusal found among the first 8 errors of the chain (kfp and Elyra
# wrap it a few times), no deeper
from t3q_elyra.processor import _blocked_v1
def chain(depth):
    e = RuntimeError("Namespace x is not allowed to run v1 pipelines.")
    for i in range(depth):
        w = RuntimeError("wrapper %d" % i)
        w.__cause__ = e
        e = w
    return e
assert _blocked_v1(chain(7)) and not _blocked_v1(chain(8))'
}
step "blocked v1 without a body: the innermost message" no_body
# Definitions kept from validation for the parse: the last 8.
pristine() {
	"$ELYRA_BIN/python" -c 'from t3q_elyra import hooks
ds = [{"n": i} for i in range(9)]
for d in ds[:8]:
    hooks._remember(d)
assert [v[1] for v in hooks._pristine.values()] == ds[:8], list(hooks._pristine.values())
hooks._remember(ds[8])
assert [v[1] for v in hooks._pristine.values()] == ds[1:], list(hooks._pristine.values())
# what the parse gets (outside the CLI): the definition as it came, not
# as validation left it; one never remembered as it is
d = {"n": 1, "nodes": []}
hooks._remember(d)
d["nodes"].append("converted")
assert hooks.pristine(d).definition == {"n": 1, "nodes": []}, hooks.pristine(d).definition
other = {"n": 2}
assert hooks.pristine(other).definition == other'
}
step "the definitions kept between validation and parse: the last 8, as they came" pristine
# T3Q_ELYRA_COMPILE_TIMEOUT: seconds above 0; 0, negative or not a number
# is the default (120), never a compile cut at once.
compile_timeout() {
	local v got
	for v in 0 -5 x 0.5 7; do
		got=$(T3Q_ELYRA_COMPILE_TIMEOUT=$v "$ELYRA_BIN/python" -c 'from t3q_elyra import compiler
print(compiler._compile_timeout())') || return 1
		echo "$v: $got"
		case $v in 0|-5|x) [ "$got" = 120 ] || [ "$got" = 120.0 ] || return 1 ;;
		0.5) [ "$got" = 0.5 ] || return 1 ;;
		7) [ "$got" = 7.0 ] || return 1 ;;
		esac
	done
}
step "T3Q_ELYRA_COMPILE_TIMEOUT: 0, negative or no number is the default" compile_timeout

finish
