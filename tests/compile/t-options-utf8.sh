#!/usr/bin/env bash
# Options, the runtime config and the pipeline's file name must be UTF-8,
# like the pipeline's own strings: plan.c marks parameters with byte 0xff,
# so a 0xff in --cos-bucket made t3q-compile read past the string (SIGSEGV)
# and "b<ff>P0<ff>c" compiled to a parameter placeholder. Each is refused
# (exit 2) with the option, or the config's line and column, named; on both
# targets.
. "$(dirname "$0")/../lib.sh"
compile=$T3Q_BIN/compiler/t3q-compile
case=$T3Q_SRC/tests/compile/004-parameters
cp -r "$case" "$T/c"
cd "$T/c" || exit 1
ep=http://minio-service.kubeflow:9000
ff=$'\xff'
base=(--cos-endpoint "$ep" --cos-bucket mlpipeline --cos-secret s)

# refused OPTION VALUE [BYTE]: the option with VALUE is refused, named, no
# output (an optional argument is given as OPTION=VALUE)
refused() {
	local opt=$1 val=$2 byte=${3:-0xff} t arg
	arg=("$opt" "$val")
	[ "$opt" != --timestamp ] || arg=("$opt=$val")
	for t in kfp-v1 kfp-v2; do
		rm -f out.yaml
		expect_rc 2 "$compile" pipeline.pipeline "${base[@]}" "${arg[@]}" \
			--target "$t" -o out.yaml || return 1
		expect_out "t3q-compile: $opt: not valid UTF-8 (byte $byte at offset 1)" || return 1
		[ ! -s out.yaml ] || { echo "$t: wrote output"; return 1; }
	done
}
step "--cos-bucket with 0xff is refused (it crashed)" refused --cos-bucket "b${ff}c"
step "--cos-bucket 'b<ff>P0<ff>c' is refused, not a placeholder" refused --cos-bucket "b${ff}P0${ff}c"
step "--cos-directory with 0xff is refused" refused --cos-directory "d${ff}P0${ff}"
step "--cos-endpoint with 0xff is refused" refused --cos-endpoint "h${ff}ttp://x:9000"
step "--cos-secret with 0xff is refused" refused --cos-secret "s${ff}"
step "--bootstrap-image with 0xff is refused" refused --bootstrap-image "i${ff}:1"
step "--timestamp with 0xff is refused" refused --timestamp "t${ff}"
step "a lone continuation byte is refused too" refused --cos-bucket $'b\x80' 0x80

name() {
	cp pipeline.pipeline "a${ff}P0${ff}.pipeline"
	expect_rc 2 "$compile" "a${ff}P0${ff}.pipeline" "${base[@]}" --target kfp-v2 &&
	expect_out "PIPELINE (its file name names the pipeline): not valid UTF-8 (byte 0xff at offset 1)" &&
	expect_rc 2 "$compile" "a${ff}P0${ff}.pipeline" "${base[@]}"
}
step "a pipeline file name with 0xff is refused (its stem is the name)" name

config() {
	printf '{"schema_name": "kfp", "metadata": {\n  "cos_endpoint": "%s",\n  "cos_bucket": "b\xffP0\xff"}}\n' \
		"$ep" >rc.json
	expect_rc 2 "$compile" pipeline.pipeline --runtime-config rc.json &&
	expect_out "--runtime-config 'rc.json': line 3, column 19: not valid UTF-8 (byte 0xff)" &&
	expect_rc 2 "$compile" pipeline.pipeline --runtime-config rc.json --target kfp-v2
}
step "a runtime config value with 0xff is refused, by line and column" config

utf8_ok() {
	expect_rc 0 "$compile" pipeline.pipeline "${base[@]}" --cos-directory "runs/é-✓" \
		--target kfp-v2 -o out.yaml &&
	grep -q -- "runs/é-✓" out.yaml
}
step "non-ASCII UTF-8 in an option still compiles" utf8_ok
finish
