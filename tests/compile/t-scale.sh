#!/usr/bin/env bash
# A generated 1000-node pipeline (chains, fan-in, parameters, outputs)
# compiles, deterministically, and passes Argo's lint (every KFP backend's).
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
mkdir -p "$T/big"
/usr/bin/python3 "$(dirname "$0")/gen-pipeline.py" 1000 "$T/big"
cd "$T/big" || exit 1
step "1000 nodes compile" "$T3Q_BIN/compiler/t3q-compile" gen.pipeline \
	--cos-endpoint http://m:9000 --cos-bucket b -o a.yaml
step "twice to the same bytes" sh -c "'$T3Q_BIN/compiler/t3q-compile' gen.pipeline --cos-endpoint http://m:9000 --cos-bucket b -o b.yaml && cmp a.yaml b.yaml"
step "with 1000 container templates" sh -c "[ \$(grep -c '^    container:' a.yaml) = 1000 ]"
if t3q_argolint_ready; then
	step "Argo's lint on every KFP backend accepts it" "$T3Q_LINT_ALL" a.yaml
fi
finish
