#!/usr/bin/env bash
# t3q-run's runs keep apart: concurrent runs on one store each run the files
# as they were when they started, default run ids differ even within one
# second, and nodes whose files share a name keep their own logs. Shell
# nodes only, on a file:// store: no Python, no S3 server.
. "$(dirname "$0")/../lib.sh"
run=$T3Q_BIN/runner/t3q-run
mkdir -p "$T/p/a" "$T/p/b"
cd "$T/p" || exit 1

# pipeline FILE NODE... : NODE is id:file[:parent]
pipeline() {
	/usr/bin/python3 - "$@" <<'PY'
import json, sys
nodes = []
for spec in sys.argv[2:]:
    f = spec.split(":")
    links = [{"node_id_ref": f[2], "port_id_ref": "outPort"}] if len(f) > 2 else []
    nodes.append({"id": f[0], "type": "execution_node", "op": "execute-shell-node",
                  "app_data": {"component_parameters": {"filename": f[1], "runtime_image": "x/y:1"},
                               "ui_data": {"label": f[0]}},
                  "inputs": [{"id": "inPort", "links": links}], "outputs": [{"id": "outPort"}]})
doc = {"doc_type": "pipeline", "version": "3.0", "primary_pipeline": "p",
       "pipelines": [{"id": "p", "nodes": nodes, "app_data": {"version": 8, "properties": {}}}]}
json.dump(doc, open(sys.argv[1], "w"))
PY
}

# 1. A run started earlier runs the script as it was then, though a later
# run uploaded an edited one before the first reached that node.
echo 'sleep 3' >wait.sh
echo 'echo "version one"' >show.sh
pipeline edit.pipeline w:wait.sh s:show.sh:w
"$run" edit.pipeline --work "$T/w1" --run-id first >"$T/first.out" 2>&1 &
first=$!
# Edit only once the first run's archives are up.
for _ in $(seq 100); do
	grep -q 'w: started' "$T/first.out" && break
	sleep 0.1
done
echo 'echo "version two"' >show.sh
"$run" edit.pipeline --work "$T/w1" --run-id second >"$T/second.out" 2>&1
second_rc=$?
wait $first
first_rc=$?
own_version() {
	cat "$T/first.out" "$T/second.out"
	[ $first_rc = 0 ] && [ $second_rc = 0 ] &&
	grep -q '^\[s\] version one' "$T/first.out" &&
	grep -q '^\[s\] version two' "$T/second.out"
}
step "concurrent runs: each runs its own version of the script" own_version
archives() {
	find "$T/w1/store" -name '*.tar.gz' | sort
	[ -f "$T/w1/store/edit/first/show-s.tar.gz" ] &&
	[ -f "$T/w1/store/edit/second/show-s.tar.gz" ]
}
step "each run's archives are under its own run id" archives

# 2. Default run ids, two runs started in the same second.
echo 'echo hi' >hi.sh
pipeline hi.pipeline h:hi.sh
same_second() {
	# Wait for the start of a second, so that both start within it.
	local ns
	ns=$(date +%N)
	sleep "0.$(printf '%09d' $((1000000000 - 10#$ns)))"
	"$run" hi.pipeline --work "$T/w2" >"$T/h1.out" 2>&1 &
	local p1=$!
	"$run" hi.pipeline --work "$T/w2" >"$T/h2.out" 2>&1
	local rc2=$? rc1=0
	wait $p1 || rc1=$?
	id1=$(sed -n 's/^run \([^ :]*\): .*/\1/p' "$T/h1.out")
	id2=$(sed -n 's/^run \([^ :]*\): .*/\1/p' "$T/h2.out")
	echo "ids: '$id1' '$id2'"
	# run-<date>-<time>-<pid>-<4 hex digits of randomness>
	[ $rc1 = 0 ] && [ $rc2 = 0 ] && [ -n "$id1" ] && [ "$id1" != "$id2" ] &&
	grep -Eq '^run-[0-9]{8}-[0-9]{6}-[0-9]+-[0-9a-f]{4}$' <<<"$id1" &&
	grep -Eq '^run-[0-9]{8}-[0-9]{6}-[0-9]+-[0-9a-f]{4}$' <<<"$id2"
}
step "two default run ids started in the same second differ" same_second

# 3. a/run.sh and b/run.sh: each node's log under its own name.
echo 'echo "from a"' >a/run.sh
echo 'echo "from b"' >b/run.sh
echo 'echo "from c"' >c.sh
pipeline logs.pipeline na:a/run.sh nb:b/run.sh nc:c.sh
expect_rc 0 "$run" logs.pipeline --work "$T/w3" --run-id r >/dev/null
logs() {
	ls "$T/w3/store/logs/r"
	grep -qx 'from a' "$T/w3/store/logs/r/run-na.log" &&
	grep -qx 'from b' "$T/w3/store/logs/r/run-nb.log" &&
	grep -qx 'from c' "$T/w3/store/logs/r/c.log" &&
	[ ! -e "$T/w3/store/logs/r/run.log" ]
}
step "files with one name: each node's log is its own (<stem>-<id>.log)" logs
# A third node's own file is named as the first's log would be: run-na.sh.
echo 'echo "from run-na"' >run-na.sh
pipeline logs2.pipeline na:a/run.sh nb:b/run.sh nr:run-na.sh
expect_rc 0 "$run" logs2.pipeline --work "$T/w3" --run-id r2 >/dev/null
logs_unique() {
	local d="$T/w3/store/logs2/r2"
	ls "$d"
	[ "$(cat "$d"/*.log | sort | tr '\n' ' ')" = "from a from b from run-na " ] &&
	grep -qx 'from run-na' "$d/run-na.log" &&
	grep -qx 'from b' "$d/run-nb.log"
}
step "a node's file named as another's <stem>-<id>: three logs, none lost" logs_unique

# 4. An s3:// store with no endpoint: one error line, exit 1.
no_endpoint() {
	local rc=0
	env -u T3Q_S3_ENDPOINT "$run" hi.pipeline --work "$T/w4" --store s3://b \
		>"$T/ne.out" 2>&1 || rc=$?
	cat "$T/ne.out"
	[ $rc = 1 ] && [ "$(grep -c 'needs T3Q_S3_ENDPOINT' "$T/ne.out")" = 1 ] &&
	[ "$(wc -l <"$T/ne.out")" = 1 ]
}
step "--store s3:// without an endpoint: the error once" no_endpoint

# 5. The summary table stays aligned with names longer than 24 characters.
echo 'echo long' >long.sh
pipeline long.pipeline a-node-with-a-rather-long-name-indeed:long.sh s:hi.sh:a-node-with-a-rather-long-name-indeed
aligned() {
	"$run" long.pipeline --work "$T/w5" >"$T/long.out" 2>&1 || { cat "$T/long.out"; return 1; }
	# the header and both rows: "status" and the states start in one column
	awk '/^node +status/{h=index($0,"status")} /^(a-node|s) +succeeded/{print index($0,"succeeded")-h}' \
		"$T/long.out" | sort -u | tee "$T/cols" && [ "$(cat "$T/cols")" = 0 ]
}
step "the summary's columns line up past 24 characters" aligned

# 6. One --run-id given twice: the second run is refused, not mixed in,
# while the first runs (the directory is claimed by mkdir) and after it
# (from another work dir, on the same store).
pipeline wait.pipeline w:wait.sh
same_id() {
	"$run" wait.pipeline --work "$T/w6" --run-id dup >"$T/d1.out" 2>&1 &
	local p1=$! rc1=0 rc2=0 rc3=0
	for _ in $(seq 100); do
		grep -q 'w: started' "$T/d1.out" && break
		sleep 0.1
	done
	"$run" wait.pipeline --work "$T/w6" --run-id dup >"$T/d2.out" 2>&1 || rc2=$?
	wait $p1 || rc1=$?
	"$run" wait.pipeline --work "$T/w6b" --store "file://$T/w6/store" \
		--run-id dup >"$T/d3.out" 2>&1 || rc3=$?
	cat "$T/d2.out" "$T/d3.out"
	[ $rc1 = 0 ] && [ $rc2 = 1 ] && [ $rc3 = 1 ] &&
	grep -q "run id 'dup' is in use: '.*/w6/dup' exists" "$T/d2.out" &&
	grep -q "run id 'dup' is in use: .* holds objects under 'wait/dup/'" "$T/d3.out" &&
	! grep -q 'started' "$T/d2.out" "$T/d3.out"
}
step "a --run-id in use is refused, while its run goes on and after" same_id
step "a --run-id with a '/' is refused" expect_rc 2 "$run" wait.pipeline \
	--work "$T/w6" --run-id a/b

# 7. An s3:// store (the test server): s3://BUCKET/PREFIX, the prefix
# before the pipeline's directory, the bucket whole.
s3_store() {
	[ -n "${T3Q_S3_ENDPOINT:-}" ] || { echo "no S3 server: skipped"; return 0; }
	local bucket
	bucket=$(new_bucket) || return 1
	echo 'echo on s3' >s3.sh
	pipeline s3.pipeline s:s3.sh
	"$run" s3.pipeline --work "$T/w7" --store "s3://$bucket/pre/fix" --run-id r7 >"$T/s3.out" 2>&1 ||
		{ cat "$T/s3.out"; return 1; }
	t3q s3 ls -r "s3://$bucket/" | tee "$T/s3.ls"
	grep -q ' pre/fix/s3/r7/s3-s.tar.gz$' "$T/s3.ls" && grep -q ' pre/fix/s3/r7/s3.log$' "$T/s3.ls"
}
step "an s3://bucket/prefix store: the objects under bucket, prefix, pipeline, run" s3_store

# 8. A node's output whose last line has no newline: printed whole, with
# the node's prefix and a newline, after the lines before it.
printf "printf 'first line\\nno newline at the end'\n" >tail.sh
pipeline tail.pipeline t:tail.sh
last_line() {
	"$run" tail.pipeline --work "$T/w8" >"$T/tail.out" 2>/dev/null || return 1
	grep -n '^\[t\]' "$T/tail.out"
	grep -A1 -x '\[t\] first line' "$T/tail.out" | grep -qx '\[t\] no newline at the end'
}
step "a last line without a newline is printed whole, prefixed" last_line
finish
