#!/usr/bin/env bash
# An Elyra-style Python node: archive, inputs, parameters, outputs. Objects
# appear at Elyra's keys, and the uploaded log is the child's output.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=mypipe-0101120000
src=$(mk_src)
cat >"$src/train.py" <<'PY'
import os, sys
import time
print("param P1=%s P2=%s KEEP=%s" % (os.environ.get("P1"), os.environ.get("P2"), os.environ.get("KEEP")))
# Two pipes have no order between them: pause so the log's is known.
time.sleep(0.3)
print("an error line", file=sys.stderr)
time.sleep(0.3)
data = open("data/in.csv").read()
os.makedirs("out/models", exist_ok=True)
open("out/result.txt", "w").write(data.upper())
open("out/models/m.bin", "w").write("model")
open("out/models/.hidden", "w").write("h")
print("done", end="")
PY
mkdir -p "$src/lib" && echo 'X = 1' >"$src/lib/helper.py"
upload_archive "$src" "$dir" train-abc.tar.gz train.py lib/helper.py
printf 'a,b\n1,2\n' >"$T/in.csv"
t3q s3 put "$T/in.csv" "s3://$bucket/$dir/data/in.csv" 2>/dev/null

export KEEP=outer
run_step "$T/wd" -d "$dir" -t train-abc.tar.gz -f train.py -n mypipe \
	-i "data/in.csv" -o "out/result.txt;out/models" \
	-r "P1=hello world;P2=;KEEP=inner" -m env
unset KEEP

step "exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
step "the child's stdout reaches our stdout" grep -q '^param P1=hello world' "$T/stdout"
step "the child's stderr reaches our stderr" grep -q '^an error line$' "$T/stderr"
step "an empty parameter is not set, an existing env var is kept" \
	grep -q '^param P1=hello world P2=None KEEP=outer$' "$T/stdout"
step "the archive's subdirectories are extracted" test -f "$T/wd/lib/helper.py"
for key in "$dir/out/result.txt" "$dir/out/models/m.bin" "$dir/out/models/.hidden" "$dir/train.log"; do
	step "object $key" have_obj "$key"
done
log_equals_output() {
	get_obj "$dir/train.log" "$T/log" &&
	printf 'param P1=hello world P2=None KEEP=outer\nan error line\ndone' >"$T/want" &&
	cmp "$T/want" "$T/log"
}
step "the uploaded log is exactly the child's output" log_equals_output
result() {
	get_obj "$dir/out/result.txt" "$T/r" && [ "$(cat "$T/r")" = "$(printf 'A,B\n1,2')" ]
}
step "the output object holds what the child wrote" result
elyra_lines() {
	grep -q "^\[I [0-9:.]*\] 'mypipe':'train' - starting operation $" "$T/stderr" &&
	grep -q "'mypipe':'train' - downloaded train-abc.tar.gz from bucket: $bucket, object: $dir/train-abc.tar.gz ([0-9.]* secs)$" "$T/stderr" &&
	grep -q "'mypipe':'train' - uploaded out/result.txt to bucket: $bucket object: $dir/out/result.txt ([0-9.]* secs)$" "$T/stderr" &&
	grep -q "'mypipe':'train' - executing python script using 'python3 train.py' to 'train.log' $" "$T/stderr" &&
	grep -q "'mypipe':'train' - operation completed ([0-9.]* secs)$" "$T/stderr"
}
step "the bootstrap's own lines keep Elyra's format" elyra_lines
# The log in the work dir is an ordinary file: 0644 under the umask.
log_mode() {
	local want
	want=$(printf '%o' $((0644 & ~0$(umask))))
	stat -c %a "$T/wd/train.log"
	[ "$(stat -c %a "$T/wd/train.log")" = "$want" ]
}
step "the log file's mode is 0644 under the umask" log_mode
no_own_lines_in_stdout() { ! grep -q "^\[I " "$T/stdout"; }
step "the bootstrap's lines never mix into the child's stdout" no_own_lines_in_stdout
ui_metadata() {
	f=$T/wcd/mlpipeline-ui-metadata.json
	/usr/bin/python3 - "$f" "$bucket" "$dir" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
srcs = [o["source"] for o in m["outputs"]]
assert any(s.startswith("## Inputs for train.py\n[train-abc.tar.gz](") and s.endswith("/%s/%s/)" % (sys.argv[2], sys.argv[3])) for s in srcs), srcs
t3q = [s for s in srcs if s.startswith("## t3q: train.py")][0]
assert "| run |" in t3q and "out/result.txt" in t3q and "train.log" in t3q, t3q
PY
}
step "mlpipeline-ui-metadata.json has Elyra's inputs entry and the t3q summary" ui_metadata

run_step "$T/wd2" -d "$dir" -t train-abc.tar.gz -f train.py -n mypipe --run-id run-42 \
	-i "data/in.csv" -o "out/result.txt"
# Inputs of a run come from that run's prefix: this one has none there.
step "with a run id, inputs are read from the run's prefix" sh -c "[ $rc = 81 ]"
t3q s3 put "$T/in.csv" "s3://$bucket/$dir/run-42/data/in.csv" 2>/dev/null
run_step "$T/wd3" -d "$dir" -t train-abc.tar.gz -f train.py -n mypipe \
	-i "data/in.csv" -o "out/result.txt" -r P1=x -m env
ELYRA_RUN_NAME=run-42 run_step "$T/wd3" -d "$dir" -t train-abc.tar.gz -f train.py -n mypipe \
	-i "data/in.csv" -o "out/result.txt" -r P1=x -m env
step "ELYRA_RUN_NAME puts logs and outputs under a per-run prefix" \
	sh -c "[ $rc = 0 ]"
step "the per-run log" have_obj "$dir/run-42/train.log"
step "the per-run output" have_obj "$dir/run-42/out/result.txt"

finish
