#!/bin/sh
# subninja.sh - a user's own build.ninja includes a generated sweep with subninja: one ninja
# runs the user's edges and every round of the sweep, a second is a no-op, and the steps are
# listed by ninja's own tools.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
cd "$TMP" || exit 1
sed -e 's/rounds: 4, per_round: 8/rounds: 2, per_round: 4/' "$BURN_SRC/projects/toy-ffn-z2.yaml" >toy.yaml

expect_ok "gen --subninja" "$BURN" gen toy.yaml -o sweeps/toy --subninja
cat >build.ninja <<'N'
# the user's own build
rule copy
  command = cp $in $out
build chosen.yaml: copy sweeps/toy/best.yaml

# the sweep, and the line that lets its rounds restart this manifest
subninja sweeps/toy/build.ninja
rule burn_restart
  command = touch $out
  generator = 1
build build.ninja: burn_restart | sweeps/toy/build.ninja
default chosen.yaml
N
ninja >run1 2>&1
expect_eq "one ninja runs the user's edge and the sweep" "$?" 0
expect_ok "the sweep's results are there" test -s sweeps/toy/results.csv
expect_ok "the user's edge used best.yaml" cmp chosen.yaml sweeps/toy/best.yaml
ninja >run2 2>&1
expect_grep "second ninja is a no-op" "^ninja: no work to do.$" run2
ninja -t targets all >targets 2>&1
expect_grep "ninja -t targets lists the csim steps" "sweeps/toy/c/[0-9a-f]+/csim.json: csim" targets
ninja -t commands chosen.yaml >cmds 2>&1
expect_grep "ninja -t commands shows the burn steps" "burn csim " cmds

t_done
