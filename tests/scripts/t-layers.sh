#!/usr/bin/env bash
# The arrows of the layout point one way (README "Layout"): each folder's
# C files include only from the folders below it, its CMake library links
# only their libraries, and the programs never include or link each other.
# Includes are written from the repository root ("base/buf.h"), so the
# folder of each is its first path segment. A folder of C code that is not
# in the table fails too: a new folder needs its row here and in the README.
# No build, no server: seconds.
. "$(dirname "$0")/../lib.sh"
root=${T3Q_LAYERS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}

# folder: the folders its files may include (itself too), bottom up.
declare -A may=(
	[base]="base"
	[s3]="s3 base"
	[pipeline]="pipeline base"
	[component]="component pipeline base"
	[store]="store s3 base"
	[archive]="archive store pipeline s3 base"
	[bootstrap]="bootstrap archive store pipeline s3 base"
	[compiler]="compiler component archive store pipeline s3 base"
	[runner]="runner component archive store pipeline s3 base"
)
libs="base s3 pipeline component store archive"

# includes FOLDER: each project include of its files that the table does
# not allow, as "file:line: includes X/y.h".
includes() {
	local dir=$1 f n line inc to
	for f in "$root/$dir"/*.c "$root/$dir"/*.h "$root/$dir"/*.h.in; do
		[ -f "$f" ] || continue
		while IFS=: read -r n line; do
			inc=$(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$line")
			to=${inc%%/*}
			[ "$to" = "$inc" ] && to="(no folder)"
			case " ${may[$dir]} " in
			*" $to "*) ;;
			*) echo "${f#"$root"/}:$n: includes \"$inc\"; $dir/ may include only ${may[$dir]}" ;;
			esac
		done < <(grep -n '^#[[:space:]]*include[[:space:]]*"' "$f")
	done
}

# links FOLDER: each t3q_ library its CMakeLists.txt names that the table
# does not allow (t3q_X for a folder X).
links() {
	local dir=$1 lib
	for lib in $(grep -o 't3q_[a-z0-9]*' "$root/$dir/CMakeLists.txt" | sort -u); do
		case " ${may[$dir]} " in
		*" ${lib#t3q_} "*) ;;
		*) echo "$dir/CMakeLists.txt: names $lib; $dir/ may use only ${may[$dir]}" ;;
		esac
	done
}

for dir in "${!may[@]}"; do
	step "$dir/ exists with its CMakeLists.txt" test -f "$root/$dir/CMakeLists.txt"
	includes "$dir" >"$T/inc.$dir"
	step "$dir/ includes only from ${may[$dir]}" empty_report "$T/inc.$dir"
	links "$dir" >"$T/lib.$dir"
	step "$dir/ links only ${may[$dir]}" empty_report "$T/lib.$dir"
done
for dir in $libs; do
	step "$dir/ is the library t3q_$dir" \
		grep -q "^add_library(t3q_$dir " "$root/$dir/CMakeLists.txt"
done

# Every top-level folder with C code is in the table (tests/ and bench/
# are not product code).
unknown() {
	local d
	for d in $(cd "$root" && ls -d */ | tr -d /); do
		case $d in tests | bench | build*) continue ;; esac
		[ -n "${may[$d]:-}" ] && continue
		if compgen -G "$root/$d/*.[ch]" >/dev/null; then
			echo "$d/ holds C files but is not in the layout's table"
		fi
	done
}
unknown >"$T/unknown"
step "no folder of C code outside the table" empty_report "$T/unknown"
finish
