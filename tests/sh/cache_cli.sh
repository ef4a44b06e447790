# cache_cli.sh - burn cache on a scratch root: stats, path, verify (a damaged object makes it
# exit 1 and name the key; --fix removes it), gc by least recent use and stale temp files, gc of
# Verilator build folders in the same order as objects (and a real rtlsim build that gc removes
# and the next rtlsim makes again), and usage errors. The objects are golden bytes written by burn (docs/CACHE.md has the layout): a
# change of the object format or of the key shows up here as corrupt objects.
. "$BURN_SRC/tests/lib.sh"
unset BURN_NO_CACHE XDG_CACHE_HOME BURN_REMOTE_CACHE
export BURN_CACHE="$TMP/env-root"
R="$TMP/root"

# Objects of step "golden" version 1 with field i = "0", "1", "2", each one file out.json
# holding {"n": I}; 77 bytes each.
K0=3e295f6576e38d8d38e2ff8f72d4d179
K1=ff4d966ac1080eace3080e50dbd4bc4d
K2=b3ea922feca67ba02e5a427c3095af5b
O0='\102\122\116\103\101\103\110\105\001\000\000\000\076\051\137\145\166\343\215\215\070\342\377\217\162\324\321\171\001\000\000\000\010\000\000\000\157\165\164\056\152\163\157\156\011\000\000\000\000\000\000\000\173\042\156\042\072\040\060\175\012\134\063\120\233\114\251\211\236\222\317\146\262\020\154\266\071'
O1='\102\122\116\103\101\103\110\105\001\000\000\000\377\115\226\152\301\010\016\254\343\010\016\120\333\324\274\115\001\000\000\000\010\000\000\000\157\165\164\056\152\163\157\156\011\000\000\000\000\000\000\000\173\042\156\042\072\040\061\175\012\345\343\077\143\365\132\120\005\201\211\172\312\340\160\117\372'
O2='\102\122\116\103\101\103\110\105\001\000\000\000\263\352\222\057\354\246\173\240\056\132\102\174\060\225\257\133\001\000\000\000\010\000\000\000\157\165\164\056\152\163\157\156\011\000\000\000\000\000\000\000\173\042\156\042\072\040\062\175\012\204\240\170\057\043\317\061\025\253\113\245\133\272\112\163\133'

# obj KEY: the path of KEY's object under $R.
obj() { echo "$R/objects/$(echo "$1" | cut -c1-2)/$(echo "$1" | cut -c3-)"; }
# put KEY BYTES: writes an object (BYTES as printf octal escapes).
put() { mkdir -p "$(dirname "$(obj "$1")")" && printf "$2" >"$(obj "$1")"; }
put_all() { put $K0 "$O0" && put $K1 "$O1" && put $K2 "$O2"; }

expect_ok "stats on a new root" "$BURN" cache --root "$R" stats
expect_grep "stats names the root" "^root +$R\$" "$TMP/out"
expect_grep "a new root has no objects" "^objects +0$" "$TMP/out"
expect_ok "the root's folders are made" test -d "$R/objects" -a -d "$R/tmp" -a -f "$R/CACHEDIR.TAG"

put_all
expect_ok "stats with 3 objects" "$BURN" cache --root "$R" stats
expect_grep "3 objects" "^objects +3$" "$TMP/out"
expect_grep "231 bytes" "^bytes +231$" "$TMP/out"
BURN_CACHE="$R" "$BURN" cache stats >"$TMP/env" 2>&1
expect_grep "BURN_CACHE is the default root" "^objects +3$" "$TMP/env"
BURN_NO_CACHE=1 "$BURN" cache --root "$R" stats >"$TMP/off" 2>&1
expect_grep "stats says when steps bypass the cache" "BURN_NO_CACHE" "$TMP/off"

expect_ok "path of a stored key" "$BURN" cache --root "$R" path $K0
expect_eq "path is objects/ab/<30 hex>" "$(cat "$TMP/out")" "$(obj $K0)"
expect_exit 1 "path of an absent key exits 1" "$BURN" cache --root "$R" path 00000000000000000000000000000000
expect_exit 2 "path of a non-key exits 2" "$BURN" cache --root "$R" path xyz

expect_ok "verify of sound objects" "$BURN" cache --root "$R" verify
expect_grep "verify counts them" "^3 objects checked, 0 corrupt$" "$TMP/out"

# damage one byte of K1's data ("1" -> "7") and cut K2 short
printf 7 | dd of="$(obj $K1)" bs=1 seek=58 conv=notrunc 2>/dev/null
head -c 50 "$(obj $K2)" >"$TMP/cut" && mv "$TMP/cut" "$(obj $K2)"
expect_exit 1 "verify exits 1 on corrupt objects" "$BURN" cache --root "$R" verify
expect_grep "verify names the damaged one" "^corrupt $K1: checksum mismatch" "$TMP/out"
expect_grep "verify names the truncated one" "^corrupt $K2: " "$TMP/out"
expect_ok "the sound one is not named" sh -c "! grep -q $K0 '$TMP/out'"
expect_ok "verify alone removes nothing" test -f "$(obj $K1)"
expect_exit 1 "verify --fix still exits 1" "$BURN" cache --root "$R" verify --fix
expect_grep "verify --fix says it removed them" "^corrupt $K1: .*; removed$" "$TMP/out"
expect_ok "the corrupt objects are gone" test ! -e "$(obj $K1)" -a ! -e "$(obj $K2)" -a -f "$(obj $K0)"
expect_ok "verify after --fix" "$BURN" cache --root "$R" verify
expect_grep "one sound object left" "^1 object checked, 0 corrupt$" "$TMP/out"

# gc: K0 oldest, then K1, K2 newest; two objects fit in 160 bytes
put_all
touch -t 200101010000 "$(obj $K0)"
touch -t 200201010000 "$(obj $K1)"
touch -t 200301010000 "$(obj $K2)"
echo partial >"$TMP/root/tmp/$K0.aaaaaa"
touch -t 200001010000 "$TMP/root/tmp/$K0.aaaaaa"
echo partial >"$TMP/root/tmp/$K1.bbbbbb"
expect_ok "gc to 160 bytes" "$BURN" cache --root "$R" gc --max-size 160
expect_grep "gc reports what it removed" "^removed 1 of 3 objects, freed 77; 154 left$" "$TMP/out"
expect_grep "gc reports stale temp files" "^removed 1 stale temp file$" "$TMP/out"
expect_ok "the least recently used object went" test ! -e "$(obj $K0)" -a -f "$(obj $K1)" -a -f "$(obj $K2)"
expect_ok "the stale temp file went, the fresh one stays" test ! -e "$R/tmp/$K0.aaaaaa" -a -f "$R/tmp/$K1.bbbbbb"
expect_ok "gc with a K suffix" "$BURN" cache --root "$R" gc --max-size 1K
expect_grep "1K keeps both" "^removed 0 of 2 objects" "$TMP/out"
expect_ok "gc to 0" "$BURN" cache --root "$R" gc --max-size 0
expect_grep "0 empties the cache" "^removed 2 of 2 objects, freed 154; 0 left$" "$TMP/out"
expect_ok "gc on an empty cache" "$BURN" cache --root "$R" gc --max-size 2G

# gc of Verilator builds (ROOT/verilator/<32 hex>/, gen/verilate.h) in one least-recently-used
# order with the objects: B1 (1000 bytes) oldest, then K0, K1, K2, then B2 (500 bytes) newest
B1="$R/verilator/0123456789abcdef0123456789abcdef"
B2="$R/verilator/fedcba9876543210fedcba9876543210"
put_all
mkdir -p "$B1" "$B2" "$R/verilator/tmp-old" "$R/verilator/tmp-new" "$R/verilator/notes"
head -c 1000 /dev/zero >"$B1/Vtop"
head -c 500 /dev/zero >"$B2/Vburn_top"
touch -t 200001010000 "$B1" "$R/verilator/tmp-old"
touch -t 200101010000 "$(obj $K0)"
touch -t 200201010000 "$(obj $K1)"
touch -t 200301010000 "$(obj $K2)"
touch -t 200401010000 "$B2" "$R/verilator/notes"
expect_ok "gc to 700 bytes with builds" "$BURN" cache --root "$R" gc --max-size 700
expect_grep "gc counts the objects apart" "^removed 1 of 3 objects, freed 77; 154 left$" "$TMP/out"
expect_grep "gc reports the builds it removed" "^removed 1 of 2 Verilator builds, freed 1000; 500 left$" "$TMP/out"
expect_grep "an unfinished build folder over an hour old is stale" "^removed 1 stale temp file$" "$TMP/out"
expect_ok "the least recently used build and object went" test ! -e "$B1" -a ! -e "$(obj $K0)" -a -f "$(obj $K1)"
expect_ok "the recently used build stays" test -f "$B2/Vburn_top"
expect_ok "a fresh unfinished build and other folders stay" test ! -e "$R/verilator/tmp-old" -a -d "$R/verilator/tmp-new" -a -d "$R/verilator/notes"
# what a gc killed while removing B2 would leave (B2 renamed to tmp-gc-KEY, half deleted)
mkdir -p "$R/verilator/tmp-gc-${B2##*/}" && echo x >"$R/verilator/tmp-gc-${B2##*/}/Vtop"
expect_ok "gc to 0 with a build" "$BURN" cache --root "$R" gc --max-size 0
expect_grep "0 removes every build" "^removed 1 of 1 Verilator build, freed 500; 0 left$" "$TMP/out"
expect_ok "a killed gc's leftover of the same build does not stop it" test ! -e "$B2" -a ! -e "$R/verilator/tmp-gc-${B2##*/}"
expect_eq "no build folder left" "$(ls "$R/verilator" | grep -c '^[0-9a-f]\{32\}$')" 0
rm -rf "$R/verilator"

# a real build: rtlsim's Verilator build is in the cache, gc removes it, the next rtlsim
# builds it again and still co-simulates bit-exact
if command -v verilator >/dev/null 2>&1; then
	V="$TMP/vroot"
	cat >"$TMP/tiny.yaml" <<'YAML'
name: gc-tiny
block:
  layers:
    - {name: fc1, type: dense, n_in: 4, n_out: 2, activation: relu, bias: true}
weights: {source: random, seed: 3, distribution: normal, scale: 0.8}
calibration: {source: random, seed: 4, n: 4, distribution: normal, scale: 1.5}
part: pynq-z2
clock_ns: 10
eps_max: 1.0
YAML
	expect_ok "default config" "$BURN" config default "$TMP/tiny.yaml" -o "$TMP/tiny-cfg.yaml"
	expect_ok "rtlgen" "$BURN" rtlgen "$TMP/tiny.yaml" "$TMP/tiny-cfg.yaml" -o "$TMP/rtl"
	expect_ok "rtlsim" env BURN_CACHE="$V" "$BURN" rtlsim "$TMP/tiny.yaml" "$TMP/tiny-cfg.yaml" "$TMP/rtl" -o "$TMP/sim1.json"
	expect_eq "rtlsim left one build in the cache" "$(ls "$V/verilator" | grep -c '^[0-9a-f]\{32\}$')" 1
	expect_ok "gc to 0" "$BURN" cache --root "$V" gc --max-size 0
	expect_grep "gc removed the build" "^removed 1 of 1 Verilator build, freed [1-9]" "$TMP/out"
	expect_eq "the build folder is gone" "$(ls "$V/verilator" | wc -l | tr -d ' ')" 0
	expect_ok "rtlsim after gc" env BURN_CACHE="$V" "$BURN" rtlsim "$TMP/tiny.yaml" "$TMP/tiny-cfg.yaml" "$TMP/rtl" -o "$TMP/sim2.json"
	expect_grep "it built with Verilator again" 'building with Verilator' "$TMP/sim2.log"
	expect_grep "the new build is reported as built" '"verilator_build": "built"' "$TMP/sim2.json"
	expect_grep "and co-simulates bit-exact" '"mismatches": 0' "$TMP/sim2.json"
	expect_eq "the build is back in the cache" "$(ls "$V/verilator" | grep -c '^[0-9a-f]\{32\}$')" 1
else
	fail "verilator not installed: gc of a real rtlsim build cannot be tested"
fi

# usage errors: one line "burn: ...", exit 2
expect_exit 2 "no command" "$BURN" cache
expect_grep "errors start with burn:" "^burn: " "$TMP/out"
expect_eq "an error is one line" "$(wc -l <"$TMP/out" | tr -d ' ')" 1
expect_exit 2 "unknown command" "$BURN" cache stat
expect_grep "a near miss is suggested" "did you mean 'stats'" "$TMP/out"
expect_exit 2 "unknown option" "$BURN" cache stats --frobnicate
expect_exit 2 "--root without a value" "$BURN" cache stats --root
expect_exit 2 "gc without --max-size" "$BURN" cache --root "$R" gc
expect_exit 2 "a bad size" "$BURN" cache --root "$R" gc --max-size 12X
expect_exit 2 "a negative size" "$BURN" cache --root "$R" gc --max-size -5
expect_exit 2 "--fix with stats" "$BURN" cache --root "$R" stats --fix
expect_exit 2 "path without a key" "$BURN" cache --root "$R" path
expect_exit 2 "an extra argument" "$BURN" cache --root "$R" stats extra
expect_exit 2 "--port goes with serve only" "$BURN" cache --root "$R" stats --port 1
expect_exit 2 "-v goes with serve only" "$BURN" cache --root "$R" gc --max-size 1 -v
expect_exit 2 "serve with a bad port" "$BURN" cache --root "$R" serve --port 70000
expect_exit 2 "serve with a bad --max-blob" "$BURN" cache --root "$R" serve --max-blob 1X
expect_exit 2 "serve with a bad --idle-timeout" "$BURN" cache --root "$R" serve --idle-timeout -1
expect_exit 2 "serve with an argument" "$BURN" cache --root "$R" serve extra
expect_exit 1 "serve on an address that is not one" "$BURN" cache --root "$R" serve --bind 1.2.3.4.5 --port 0
expect_exit 1 "push without BURN_REMOTE_CACHE" env -u BURN_REMOTE_CACHE "$BURN" cache --root "$R" push
expect_grep "says what to set" "BURN_REMOTE_CACHE" "$TMP/out"
expect_ok "--help" "$BURN" cache --help
expect_grep "--help shows the usage" "^usage: burn cache" "$TMP/out"
expect_grep "--help lists export, import, push and serve" "^  serve \[OPTIONS\]" "$TMP/out"
echo x >"$TMP/file"
expect_exit 1 "an unusable root exits 1" "$BURN" cache --root "$TMP/file/root" stats
expect_grep "and says why" "^burn: .*file/root" "$TMP/out"

t_done
