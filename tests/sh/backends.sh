#!/bin/sh
# backends.sh - the GNU Make backend runs the same graph as the Ninja one: the same toy sweep
# with ninja and with make -j2 gives byte-identical results files; a second make is a no-op;
# burn.mk can be included from another Makefile with BURN_DIR set.
. "$BURN_SRC/tests/lib.sh"
export BURN_NO_CACHE=1 # both runs evaluate everything, so even the cache columns agree

P="$TMP/toy.yaml"
sed -e 's/rounds: 4, per_round: 8/rounds: 2, per_round: 4/' "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$P"

"$BURN" gen "$P" -o "$TMP/n" >/dev/null
expect_ok "ninja sweep" ninja -C "$TMP/n"
expect_ok "make backend generates" "$BURN" gen "$P" -o "$TMP/m" --backend make
expect_grep "burn.mk deletes partial outputs" "^.DELETE_ON_ERROR:" "$TMP/m/burn.mk"
expect_ok "make -j2 sweep" make -C "$TMP/m" -j2
for f in results.csv results.json best.yaml rounds/0/results.json rounds/1/results.json; do
	expect_ok "ninja and make give the same $f" cmp "$TMP/n/$f" "$TMP/m/$f"
done
make -C "$TMP/m" >"$TMP/again" 2>&1
expect_grep "second make is a no-op" "Nothing to be done" "$TMP/again"

# included from a user's own Makefile in another folder
mkdir -p "$TMP/user"
"$BURN" gen "$P" -o "$TMP/user/sweep" --backend make >/dev/null
cat >"$TMP/user/Makefile" <<'M'
BURN_DIR = sweep
include sweep/burn.mk
report: sweep/best.yaml
	cp sweep/best.yaml chosen.yaml
M
expect_ok "make from the user's Makefile" make -C "$TMP/user" -j2 burn-all
expect_ok "the user's rule uses best.yaml" make -C "$TMP/user" report
expect_ok "same best config" cmp "$TMP/user/chosen.yaml" "$TMP/n/best.yaml"

t_done
