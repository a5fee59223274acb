#!/usr/bin/env bash
# t3q's quantity check (pipeline_quantity_ok, which refuses cpu "0x10" or
# memory "1e3", written "1e3G") against Kubernetes' own
# resource.ParseQuantity, over every string of up to 4 characters of an
# alphabet of digits, signs, '.', suffix letters and junk, and longer ones
# with exponents. The Go side (tests/tools/quantity) builds against the
# apimachinery of argolint's module set, offline; without Go or that
# module in the cache the test is skipped.
. "$(dirname "$0")/../lib.sh"
PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null || skip_all "no Go"
src=$T3Q_SRC/tests/tools
mkdir -p "$T/q"
cp "$src/quantity/main.go" "$src/argolint/go.mod" "$src/argolint/go.sum" "$T/q/"
( cd "$T/q" && CGO_ENABLED=0 GOPROXY=off GOFLAGS="-mod=mod -buildvcs=false" \
	go build -o quantity . ) >"$T/build.log" 2>&1 ||
	{ cat "$T/build.log"; skip_all "k8s.io/apimachinery not in the Go module cache"; }
/usr/bin/python3 - >"$T/list" <<'PY'
import itertools, random
alpha = "019.+-eEGiKkmnu x"
for n in range(5):
    for t in itertools.product(alpha, repeat=n):
        print("".join(t))
r = random.Random(21)
nums = ["", "0", "1", "12", "007", "1.5", ".5", "1.", "123456789012345678",
        "1234567890123456789", "9" * 25]
sufs = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi",
        "Ti", "Pi", "Ei", "K", "i", "e", "E", "G5"]
exps = ["", "3", "-3", "+3", "-9", "-10", "-19", "09", "2147483647",
        "4294967296", "-2147483649", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "1x"]
# A number of more than 18 digits with a huge exponent, or an exponent
# that int32() wraps to a huge negative one (2147483648), takes
# ParseQuantity minutes and gigabytes (big.Int powers of ten): not asked.
huge = [e for e in exps if len(e.lstrip("+-")) > 3]
for _ in range(20000):
    num = r.choice(nums)
    s = r.choice(["", "+", "-"]) + num
    if r.random() < 0.5:
        e = r.choice(exps)
        while len(num.replace(".", "")) > 18 and e in huge:
            e = r.choice(exps)
        s += r.choice("eE") + e
    else:
        s += r.choice(sufs)
    print(s)
PY
agree() {
	"$T/q/quantity" <"$T/list" >"$T/go"
	"$T3Q_BIN/tests/test_quantity" - <"$T/list" >"$T/t3q"
	echo "$(wc -l <"$T/list") strings, $(grep -c '^ok' "$T/go") quantities"
	paste "$T/list" "$T/go" "$T/t3q" |
		awk -F'\t' '$2 != $3 { print "[" $1 "]: Kubernetes " $2 ", t3q " $3; n++ }
			    END { exit n > 0 }' | head -20
	cmp -s "$T/go" "$T/t3q"
}
step "t3q reads quantities as Kubernetes' ParseQuantity does" agree
finish
