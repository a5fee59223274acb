#!/usr/bin/env bash
# The compiled example in the repo is what t3q-compile makes of the
# example today (examples/iris/compile.args), so it never goes stale, and
# every KFP backend's lint accepts it.
# T3Q_UPDATE_GOLDEN=1 rewrites it.
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
for dir in "$T3Q_SRC"/examples/*/; do
	name=$(basename "$dir")
	args=()
	while IFS= read -r a; do [ -n "$a" ] && args+=("$a"); done <"$dir/compile.args"
	fresh() {
		(cd "$dir" && "$T3Q_BIN/compiler/t3q-compile" "$name.pipeline" "${args[@]}" -o "$T/$name.yaml") &&
		if [ -n "${T3Q_UPDATE_GOLDEN:-}" ]; then cp "$T/$name.yaml" "$dir/$name.yaml"; fi &&
		diff -u "$dir/$name.yaml" "$T/$name.yaml"
	}
	step "examples/$name/$name.yaml is up to date" fresh
	step "examples/$name/$name.yaml passes Argo's lint on every KFP backend" \
		"$T3Q_LINT_ALL" "$dir/$name.yaml"
done
finish
