#!/bin/sh
# cache_ci.sh - the cached-CI recipe of docs/CI.md: run 1 sweeps in one checkout and saves
# its cache root as an archive (burn cache export); run 2, in a fresh clone at another path
# with an empty cache root, restores it (burn cache import) and then evaluates nothing: every
# *.cache sidecar says hit, and the results are byte-identical. Then the archive's edges:
# deterministic bytes, atomic writes, a damaged, truncated or foreign archive, a corrupt
# object on export, and stdin/stdout.
. "$BURN_SRC/tests/lib.sh"
unset BURN_NO_CACHE BURN_REMOTE_CACHE

# run 1: checkout one, its own cache root
mkdir -p "$TMP/ci1/repo/projects"
sed -e 's/rounds: 4, per_round: 8/rounds: 2, per_round: 6/' "$BURN_SRC/projects/toy-ffn-z2.yaml" \
	>"$TMP/ci1/repo/projects/toy.yaml"
export BURN_CACHE="$TMP/ci1/cache"
(cd "$TMP/ci1/repo" && "$BURN" gen projects/toy.yaml -o out/toy >/dev/null && ninja -C out/toy >"$TMP/run1.log" 2>&1)
expect_eq "run 1: the sweep succeeds" "$?" 0
expect_exit 1 "export into a missing folder fails" "$BURN" cache export "$TMP/artifact/burn-cache.bca"
expect_ok "and creates nothing" test ! -e "$TMP/artifact"
mkdir -p "$TMP/artifact"
expect_ok "run 1: export the cache" "$BURN" cache export "$TMP/artifact/burn-cache.bca"
nobj=$("$BURN" cache stats | sed -n 's/^objects *//p')
expect_grep "export counts the objects" "^exported $nobj objects, " "$TMP/out"
expect_eq "no temp file beside the archive" "$(ls "$TMP/artifact" | wc -l | tr -d ' ')" 1

# run 2: a fresh clone at another path, a fresh cache root restored from the archive
mkdir -p "$TMP/elsewhere/ci2/clone/projects"
cp "$TMP/ci1/repo/projects/toy.yaml" "$TMP/elsewhere/ci2/clone/projects/toy.yaml"
export BURN_CACHE="$TMP/elsewhere/ci2/cache"
expect_ok "run 2: import the cache" "$BURN" cache import "$TMP/artifact/burn-cache.bca"
expect_grep "import counts the objects" "^imported $nobj objects \(.*\), 0 already present, 0 corrupt skipped$" "$TMP/out"
(cd "$TMP/elsewhere/ci2/clone" && "$BURN" gen projects/toy.yaml -o build/sweep >/dev/null && ninja -C build/sweep >"$TMP/run2.log" 2>&1)
expect_eq "run 2: the sweep succeeds" "$?" 0
D1="$TMP/ci1/repo/out/toy" D2="$TMP/elsewhere/ci2/clone/build/sweep"
n=$(find "$D2" -name '*.cache' | wc -l | tr -d ' ')
expect_ok "run 2: sidecars written ($n)" test "$n" -gt 0
expect_eq "run 2: zero evaluations (every sidecar says hit)" "$(find "$D2" -name '*.cache' -exec cat {} + | grep -vc '^hit ')" 0
same_rounds() {
	for f in "$1"/rounds/*/results.json "$1"/best.yaml; do
		cmp -s "$f" "$2/${f#"$1"/}" || { echo "differs: ${f#"$1"/}"; return 1; }
	done
}
expect_ok "run 2: same results as run 1" same_rounds "$D1" "$D2"
expect_ok "import again" "$BURN" cache import "$TMP/artifact/burn-cache.bca"
expect_grep "a second import finds everything present" "^imported 0 objects .*, $nobj already present" "$TMP/out"

# the archive's bytes depend only on the objects
expect_ok "export of the restored root" "$BURN" cache export "$TMP/again.bca"
expect_ok "is byte-identical to run 1's archive" cmp "$TMP/artifact/burn-cache.bca" "$TMP/again.bca"
expect_ok "export to stdout" sh -c "'$BURN' cache export - >'$TMP/stdout.bca' 2>'$TMP/stdout.err'"
expect_ok "gives the same bytes" cmp "$TMP/artifact/burn-cache.bca" "$TMP/stdout.bca"
expect_ok "import from stdin" sh -c "'$BURN' cache --root '$TMP/from-stdin' import - <'$TMP/stdout.bca'"
expect_grep "imports every object" "^imported $nobj objects" "$TMP/out"

# damage one object inside the archive: that object is skipped, the others imported
A="$TMP/artifact/burn-cache.bca"
cp "$A" "$TMP/damaged.bca"
printf X | dd of="$TMP/damaged.bca" bs=1 seek=80 conv=notrunc 2>/dev/null
expect_exit 1 "a damaged archive: import exits 1" "$BURN" cache --root "$TMP/r-damaged" import "$TMP/damaged.bca"
expect_grep "names the corrupt object" "^corrupt [0-9a-f]{32}: checksum mismatch .*; skipped$" "$TMP/out"
expect_grep "imports the others" "^imported $((nobj - 1)) objects .* 1 corrupt skipped$" "$TMP/out"
expect_grep "and says the archive is damaged" "^burn: .*archive checksum mismatch" "$TMP/out"
expect_ok "what was imported is sound" "$BURN" cache --root "$TMP/r-damaged" verify

# a truncated archive: the objects before the cut are imported, the import fails
size=$(wc -c <"$A")
head -c $((size / 2)) "$A" >"$TMP/half.bca"
expect_exit 1 "a truncated archive: import exits 1" "$BURN" cache --root "$TMP/r-half" import "$TMP/half.bca"
expect_grep "says it is truncated" "^burn: .*truncated at byte" "$TMP/out"
expect_ok "what was imported is sound" "$BURN" cache --root "$TMP/r-half" verify
expect_exit 1 "the archive without its trailer" sh -c "head -c $((size - 10)) '$A' | '$BURN' cache --root '$TMP/r-tail' import -"

# not an archive, a missing file, a huge length field
echo "hello" >"$TMP/not.bca"
expect_exit 1 "not an archive" "$BURN" cache --root "$TMP/r-not" import "$TMP/not.bca"
expect_grep "says so" "not a burn cache archive" "$TMP/out"
expect_exit 1 "a missing archive" "$BURN" cache --root "$TMP/r-not" import "$TMP/none.bca"
{ head -c 16 "$A"; printf 'O0123456789abcdef\377\377\377\377\377\377\377\177'; } >"$TMP/huge.bca"
expect_exit 1 "an object length over the limit" "$BURN" cache --root "$TMP/r-huge" import "$TMP/huge.bca"
expect_grep "is refused before reading it" "damaged at byte 41" "$TMP/out"

# a corrupt object in the cache: named and left out of the export
k=$(find "$TMP/elsewhere/ci2/cache/objects" -type f | head -n 1)
printf X | dd of="$k" bs=1 seek=40 conv=notrunc 2>/dev/null
expect_exit 1 "export with a corrupt object exits 1" "$BURN" cache export "$TMP/partial.bca"
expect_grep "and names it" "^corrupt [0-9a-f]{32}: .*not exported$" "$TMP/out"
expect_ok "the rest is a sound archive" "$BURN" cache --root "$TMP/r-partial" import "$TMP/partial.bca"
expect_grep "with one object fewer" "^imported $((nobj - 1)) objects" "$TMP/out"

# usage errors
expect_exit 2 "export without a file" "$BURN" cache export
expect_exit 2 "import with two files" "$BURN" cache import a b
expect_exit 1 "export into a folder that is a file" "$BURN" cache export "$TMP/not.bca/x"

t_done
