#!/usr/bin/env bash
# A dependency tree with a symlink loop: the archive would never end
# (Python's tarfile, and so Elyra's create_temp_archive, follows links until
# "too many levels of symbolic links", 2^40 paths with two of them). It is
# refused at once, naming the node and the link, with and without --upload
# alike; nothing is uploaded. No S3 server: --upload=file://.
. "$(dirname "$0")/../lib.sh"
compile=$T3Q_BIN/compiler/t3q-compile
mkdir -p "$T/p/d" "$T/p/s/plain/sub"
cd "$T/p" || exit 1
echo 'print(1)' >a.py
echo 'x' >d/data.txt
ln -s .. d/up
ln -s . d/self
echo 'print(2)' >s/b.py
echo 'y' >s/plain/sub/f.txt
ln -s sub s/plain/again
/usr/bin/python3 - <<'PY'
import json
def doc(name, deps, sub, f="a.py"):
    cp = {"filename": f, "runtime_image": "x/y:1", "dependencies": deps,
          "include_subdirectories": sub}
    nodes = [{"id": "n1", "type": "execution_node", "op": "execute-python-node",
              "app_data": {"component_parameters": cp, "ui_data": {"label": "a"}},
              "inputs": [{"id": "inPort", "links": []}], "outputs": [{"id": "outPort"}]}]
    json.dump({"doc_type": "pipeline", "version": "3.0", "primary_pipeline": "p",
               "pipelines": [{"id": "p", "nodes": nodes,
                              "app_data": {"version": 8, "properties": {}}}]},
              open(name, "w"))
doc("loop.pipeline", ["d/*"], False)
doc("loopsub.pipeline", ["d/*"], True)
# A link to a sibling is no loop: its files go in twice, as in Elyra.
doc("sibling.pipeline", ["plain/*"], True, "s/b.py")
PY
args=(--cos-endpoint http://m:9000 --cos-bucket b)

# compile NAME OUT [ARGS...]: exit status and stderr, within 10 s
compile() {
	local name=$1 out=$2 rc=0
	shift 2
	timeout 10 "$compile" "$name.pipeline" "${args[@]}" "$@" -o /dev/null \
		2>"$out.err" || rc=$?
	grep -v '^\[' "$out.err" >"$out.diag"
	echo $rc >"$out.rc"
}

refused() {
	local name=$1
	compile "$name" "$T/$name-plain"
	compile "$name" "$T/$name-up" --upload="file://$T/store-$name"
	cat "$T/$name-plain.err" "$T/$name-up.err"
	[ "$(cat "$T/$name-plain.rc")" = 1 ] && [ "$(cat "$T/$name-up.rc")" = 1 ] &&
	cmp "$T/$name-plain.diag" "$T/$name-up.diag" &&
	grep -q "node 'a' (n1): dependencies: 'd/self' is a symlink loop: it leads back to 'd'," "$T/$name-plain.diag" &&
	grep -q "node 'a' (n1): dependencies: 'd/up' is a symlink loop: it leads back to '.'," "$T/$name-plain.diag" &&
	[ "$(wc -l <"$T/$name-plain.diag")" = 2 ] &&
	[ -z "$(find "$T/store-$name" -type f 2>/dev/null)" ]
}
step "a symlink loop: refused at once, the same with --upload" refused loop
step "with include_subdirectories: the same" refused loopsub

sibling() {
	compile sibling "$T/sib" --upload="file://$T/store-sib"
	cat "$T/sib.err"
	[ "$(cat "$T/sib.rc")" = 0 ] &&
	tar -tzf "$T"/store-sib/*.tar.gz | sort | tr '\n' ' ' | tee "$T/sib.list" &&
	grep -q 'plain/again/f.txt' "$T/sib.list" &&
	grep -q 'plain/sub/f.txt' "$T/sib.list"
}
step "a link to a sibling directory is no loop: both go in" sibling
finish
