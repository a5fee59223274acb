#!/usr/bin/env bash
# --pipeline-parameter NAME=VALUE (what KFP v2 IR passes, one argument per
# parameter): the value reaches the child whole, ';', '=' and newlines
# included; the rules of Elyra's -r list hold (a set name keeps its value,
# an empty value is skipped, a name the bootstrap refuses is skipped with a
# warning); -r still works beside it; NAME=VALUE without '=' is a usage
# error (exit 2).
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=argpipe-0101120000
src=$(mk_src)
cat >"$src/env.py" <<'PY'
import json, os
json.dump({k: os.environ.get(k) for k in
           ("A", "B", "EMPTY", "KEEP", "LIST", "PYTHONPATH", "Y", "LD_PRELOAD")},
          open(os.environ["OUT"], "w"))
PY
upload_archive "$src" "$dir" env-abc.tar.gz env.py

nl=$'\n'
a='x;PYTHONPATH=/tmp/evil'
b="p=q;Y=z${nl}\"quoted\" 'too';;="
export KEEP=outer OUT=$T/env.json
unset PYTHONPATH Y
run_step "$T/wd" -d "$dir" -t env-abc.tar.gz -f env.py -n argpipe \
	--pipeline-parameter "A=$a" --pipeline-parameter "B=$b" \
	--pipeline-parameter "EMPTY=" --pipeline-parameter "KEEP=inner" \
	--pipeline-parameter "LD_PRELOAD=/tmp/evil.so" \
	-r "LIST=l1;A=$a" -m env
unset KEEP
step "exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
whole() {
	/usr/bin/python3 - "$T/env.json" "$a" "$b" <<'PY'
import json, sys
env = json.load(open(sys.argv[1]))
want = {"A": sys.argv[2], "B": sys.argv[3], "EMPTY": None, "KEEP": "outer", "LIST": "l1",
        "PYTHONPATH": None, "Y": None, "LD_PRELOAD": None}
bad = ["%s: %r, want %r" % (k, env.get(k), v) for k, v in want.items() if env.get(k) != v]
if bad:
    sys.exit("\n".join(bad))
PY
}
step "each value whole, set names kept, empty skipped, -r beside it" whole
step "LD_PRELOAD is skipped with a warning" \
	grep -q "pipeline parameter 'LD_PRELOAD': this variable cannot be set" "$T/stderr"
run_step "$T/wd2" -d "$dir" -t env-abc.tar.gz -f env.py --pipeline-parameter novalue
step "NAME without '=' is a usage error (exit 2)" \
	sh -c "[ $rc = 2 ] && grep -q \"pipeline-parameter 'novalue': expected NAME=VALUE\" '$T/stderr'"
finish
