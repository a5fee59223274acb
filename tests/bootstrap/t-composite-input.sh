#!/usr/bin/env bash
# A glob input that is a small multipart object (smaller than a part, so
# fetched in the batch of small inputs) whose checksum is composite, as
# boto3 leaves one: a byte flipped in its GET must not get through. The
# batch checked such an object by its size only; it is now fetched again
# by part, each part checked by its own checksum.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../s3/faults.sh"
bucket=$(new_bucket)
dir=composite-01
MiB=1048576
src=$(mk_src)
echo 'sha256sum in/mp.bin | cut -d" " -f1' >"$src/sum.sh"
upload_archive "$src" "$dir" c.tar.gz sum.sh
head -c $((10 * MiB + 4321)) /dev/urandom >"$T/mp"
want=$(sha "$T/mp")
up() { /usr/bin/python3 "$T3Q_SRC/tests/tools/s3checksum_upload.py" "$T3Q_S3_ENDPOINT" "$bucket" "$@"; }

# run_flipped ALGO: the archive's GET and the listing pass, the input's
# first GET gets a byte flipped; the step prints what it received.
run_flipped() {
	local algo=$1 wd="$T/wd-$1" rc=0
	up "$dir/in/mp.bin" "$T/mp" "$algo" $((5 * MiB)) COMPOSITE ||
		{ echo "cannot upload a composite $algo object"; return 1; }
	start_proxy --faults flip --methods GET --fail-rate 1 --max-faults 1 \
		--after 2 --seed 1
	mkdir -p "$wd"
	# The default part size (16 MiB): the 10 MiB object goes in the batch.
	(cd "$wd" && "$T3Q_BIN/bootstrap/t3q-bootstrap" -e "$PROXY" -b "$bucket" \
		-d "$dir" -t c.tar.gz -f sum.sh -n c -i 'in/*') >"$T/out-$algo" 2>"$T/err-$algo" || rc=$?
	stop_proxy
	[ $rc = 0 ] || { echo "exit $rc"; tail -5 "$T/err-$algo"; return 1; }
	grep -q " flip " "$PROXY_LOG" || { echo "no byte was flipped"; cat "$PROXY_LOG"; return 1; }
	grep -qx "$want" "$T/out-$algo" || { echo "the step read other bytes"; cat "$T/out-$algo"; return 1; }
}
for algo in crc32 sha256; do
	step "a 10 MiB composite $algo input with a flipped byte arrives exact" run_flipped $algo
done
finish
