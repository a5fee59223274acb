#!/usr/bin/env bash
# --upload builds each node's dependency archive as Elyra does and puts it
# where the bootstrap will look: the file and its dependency patterns,
# subdirectories only with include_subdirectories, no hidden directories,
# symlinks dereferenced inside the pipeline's directory and refused when
# they lead out of it.
. "$(dirname "$0")/../lib.sh"
bucket=$(new_bucket)
mkdir -p "$T/p/nb/data/sub" "$T/p/nb/.hidden" "$T/p/other"
cd "$T/p" || exit 1
echo '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}' >nb/a.ipynb
echo 'x = 1' >nb/helper.py
echo 'top' >nb/data/top.csv
echo 'top0' >nb/top0.csv
echo 'deep' >nb/data/sub/deep.csv
echo 'secret' >nb/.hidden/h.csv
echo 'target' >other/real.txt
ln -s ../other/real.txt nb/link.txt
echo 'print(1)' >nb/b.py
/usr/bin/python3 - <<'PY'
import json
def node(i, f, deps, sub):
    return {"id": i, "type": "execution_node", "op": "execute-notebook-node",
            "app_data": {"component_parameters": {"filename": f, "runtime_image": "x/y:1",
                "dependencies": deps, "include_subdirectories": sub}, "ui_data": {"label": i}},
            "inputs": [{"id": "inPort"}], "outputs": [{"id": "outPort"}]}
doc = {"doc_type": "pipeline", "version": "3.0", "primary_pipeline": "p", "pipelines": [{"id": "p",
       "nodes": [node("first", "nb/a.ipynb", ["*.py", "link.txt", "*.csv"], True),
                 node("second", "nb/b.py", ["*.txt"], False)],
       "app_data": {"version": 8, "properties": {"pipeline_defaults": {"cos_object_prefix": "team"}}}}]}
json.dump(doc, open("up.pipeline", "w"))
# Elyra 4.0.0's create_temp_archive: a named subdirectory goes in without
# include_subdirectories, and a lone "*" takes top-level files only.
doc["pipelines"][0]["nodes"] = [
    node("third", "nb/b.py", ["helper.py", "data/*.csv"], False),
    node("fourth", "nb/a.ipynb", ["*"], False)]
json.dump(doc, open("sub.pipeline", "w"))
PY
step "compile with --upload" "$T3Q_BIN/compiler/t3q-compile" up.pipeline \
	--cos-endpoint "$T3Q_S3_ENDPOINT" --cos-bucket "$bucket" --cos-directory team/up-1 \
	--upload -o up.yaml
members() {  # KEY: the archive's member list, sorted
	t3q s3 get "s3://$bucket/team/up-1/$1" "$T/a.tgz" >/dev/null 2>&1 &&
	tar -tzf "$T/a.tgz" | sed 's|^\./||' | grep -v '/$' | sort
}
first() {
	members a-first.tar.gz >"$T/m1" && cat "$T/m1" &&
	printf '%s\n' a.ipynb b.py data/sub/deep.csv data/top.csv helper.py link.txt top0.csv |
		diff - "$T/m1"
}
step "with include_subdirectories: the file, patterns in subdirs, no hidden dir" first
second() {
	members b-second.tar.gz >"$T/m2" && cat "$T/m2" && printf '%s\n' b.py link.txt | diff - "$T/m2"
}
step "without: top-level matches only" second
deref() {
	t3q s3 get "s3://$bucket/team/up-1/a-first.tar.gz" "$T/a.tgz" >/dev/null 2>&1 &&
	[ "$(tar -xOzf "$T/a.tgz" link.txt)" = target ] &&
	tar -tvzf "$T/a.tgz" | grep ' link.txt' | grep -q '^-'
}
step "symlinks are stored as the files they point to" deref
step "the YAML names the uploaded archives" grep -q '"a-first.tar.gz"' up.yaml
extract() {
	mkdir -p "$T/x" && cd "$T/x" &&
	T3Q_ARTIFACT_OUTPUT_DIR= "$T3Q_BIN/bootstrap/t3q-bootstrap" -e "$T3Q_S3_ENDPOINT" \
		-b "$bucket" -d team/up-1 -t b-second.tar.gz -f b.py -n up \
		--python /usr/bin/python3 >"$T/run.out" 2>&1 && grep -q '^1$' "$T/run.out"
}
step "the bootstrap runs a node from its uploaded archive" extract
cd "$T/p" || exit 1

step "subdirectory dependencies: compile with --upload" "$T3Q_BIN/compiler/t3q-compile" \
	sub.pipeline --cos-endpoint "$T3Q_S3_ENDPOINT" --cos-bucket "$bucket" \
	--cos-directory team/up-1 --upload -o sub.yaml
third() {
	members b-third.tar.gz >"$T/m3" && cat "$T/m3" &&
	printf '%s\n' b.py data/top.csv helper.py | diff - "$T/m3" &&
	t3q s3 get "s3://$bucket/team/up-1/b-third.tar.gz" "$T/t.tgz" >/dev/null 2>&1 &&
	tar -tzf "$T/t.tgz" | grep -qx 'data/' && ! tar -tzf "$T/t.tgz" | grep -q 'data/sub'
}
step "'data/*.csv' without include_subdirectories: data/ goes in, data/sub/ not" third
fourth() {
	members a-fourth.tar.gz >"$T/m4" && cat "$T/m4" &&
	printf '%s\n' a.ipynb b.py helper.py link.txt top0.csv | diff - "$T/m4"
}
step "a lone '*' without include_subdirectories: top-level files only" fourth

# The upload endpoint is not the steps' endpoint: a port-forward from here
# to the cluster's MinIO (T3Q_S3_ENDPOINT, AWS_ENDPOINT_URL or --upload=URL),
# while the YAML keeps the in-cluster one. No --cos-directory: Elyra's
# <prefix>/<name>-<MMDDHHMMSS>.
incluster=http://minio-service.kubeflow:9000
upload_via() {  # HOW: the archive lands where the YAML says; endpoint kept
	local yaml=$T/via-$1.yaml dir
	rm -f "$yaml"
	case $1 in
	t3q) "$T3Q_BIN/compiler/t3q-compile" up.pipeline --cos-endpoint "$incluster" \
		--cos-bucket "$bucket" --upload -o "$yaml" ;;
	aws) env -u T3Q_S3_ENDPOINT AWS_ENDPOINT_URL="$T3Q_S3_ENDPOINT" \
		"$T3Q_BIN/compiler/t3q-compile" up.pipeline --cos-endpoint "$incluster" \
		--cos-bucket "$bucket" --upload -o "$yaml" ;;
	flag) env -u T3Q_S3_ENDPOINT "$T3Q_BIN/compiler/t3q-compile" up.pipeline \
		--cos-endpoint "$incluster" --cos-bucket "$bucket" \
		--upload="$T3Q_S3_ENDPOINT" -o "$yaml" ;;
	esac || return 1
	grep -c "\"$incluster\"" "$yaml" | grep -qx 2 || { echo "in-cluster endpoint lost"; return 1; }
	dir=$(grep -A1 -- '"--cos-directory"' "$yaml" | sed -n 2p | sed 's/^ *- *"//; s/"$//')
	echo "cos directory: $dir"
	[[ $dir =~ ^team/up-[0-9]{10}$ ]] || { echo "not <prefix>/<name>-<stamp>: '$dir'"; return 1; }
	t3q s3 stat "s3://$bucket/$dir/a-first.tar.gz"
}
step "--upload through T3Q_S3_ENDPOINT, YAML keeps the in-cluster endpoint" upload_via t3q
step "--upload through AWS_ENDPOINT_URL" upload_via aws
step "--upload=http://host:port" upload_via flag
# Links are followed inside the pipeline's directory only: one leading out
# of it (a file, a directory, the node's own file) is refused at validation,
# naming the link and its target, and nothing is uploaded.
mkdir -p "$T/esc/nb" && cd "$T/esc" || exit 1
echo 'print(1)' >nb/a.py
ln -s /etc/shadow nb/shadow
ln -s /etc/ssl nb/certs
ln -s /etc/hostname nb/host.py
/usr/bin/python3 - <<'PY'
import json
def node(i, f, deps):
    return {"id": i, "type": "execution_node", "op": "execute-python-node",
            "app_data": {"component_parameters": {"filename": f, "runtime_image": "x/y:1",
                "dependencies": deps}, "ui_data": {"label": i}},
            "inputs": [{"id": "inPort"}], "outputs": [{"id": "outPort"}]}
doc = {"doc_type": "pipeline", "version": "3.0", "primary_pipeline": "p", "pipelines": [{"id": "p",
       "nodes": [node("deps", "nb/a.py", ["shadow", "certs/*"]), node("own", "nb/host.py", [])],
       "app_data": {"version": 8, "properties": {}}}]}
json.dump(doc, open("esc.pipeline", "w"))
PY
outside() {
	local rc=0
	"$T3Q_BIN/compiler/t3q-compile" esc.pipeline --cos-endpoint "$T3Q_S3_ENDPOINT" \
		--cos-bucket "$bucket" --cos-directory esc --upload -o esc.yaml \
		>"$T/esc.out" 2>&1 || rc=$?
	cat "$T/esc.out"
	[ $rc = 1 ] && [ ! -e esc.yaml ] &&
	grep -q "dependencies: 'nb/shadow' is a symlink to '/etc/shadow', outside the pipeline's directory" "$T/esc.out" &&
	grep -q "dependencies: 'nb/certs' is a symlink to '/etc/ssl', outside the pipeline's directory" "$T/esc.out" &&
	grep -q "filename: 'nb/host.py' is a symlink to '/etc/hostname', outside the pipeline's directory" "$T/esc.out" &&
	! grep -q "matches no file" "$T/esc.out" &&
	! t3q s3 stat "s3://$bucket/esc/a-deps.tar.gz" >/dev/null 2>&1
}
step "symlinks out of the pipeline's directory are refused, naming link and target" outside
cd "$T/p" || exit 1

if command -v valgrind >/dev/null && [ -z "${T3Q_SANITIZE:-}" ]; then
	vg() {
		valgrind -q --error-exitcode=99 --leak-check=full \
			"$T3Q_BIN/compiler/t3q-compile" up.pipeline --cos-endpoint "$incluster" \
			--cos-bucket "$bucket" --upload -o "$T/vg.yaml"
	}
	step "valgrind: --upload without --timestamp reads no uninitialised memory" vg
fi
# The store refuses an archive (a bucket that does not exist): the compile
# fails, naming the node whose archive could not be uploaded, and writes no
# YAML that would name archives that are not there.
refused_upload() {
	rm -f gone.yaml
	expect_rc 1 env T3Q_S3_MAX_ATTEMPTS=2 "$T3Q_BIN/compiler/t3q-compile" up.pipeline \
		--cos-endpoint "$T3Q_S3_ENDPOINT" --cos-bucket "no-such-bucket-$RANDOM$RANDOM" \
		--cos-directory team/gone --upload -o gone.yaml &&
	expect_out "node 'first' (first): cannot upload its dependency archive" &&
	[ ! -e gone.yaml ]
}
step "an archive the store refuses fails the compile, naming the node; no YAML" refused_upload
finish
