# golden.sh - burn golden against the shared ap_fixed vectors, a planted wrong value and
# malformed files.
. "$BURN_SRC/tests/lib.sh"
cases=$SHARED/golden/apfixed/cases.txt

expect_ok "golden vectors all pass" "$BURN" golden "$cases"
expect_grep "golden summary" '^588 passed, 0 failed$' "$TMP/out"

# one wrong expected value: the raw of the first quant line, plus one
awk 'BEGIN { done = 0 }
     !done && $1 == "quant" { $4 = $4 + 1; done = 1 } { print }' "$cases" >"$TMP/one-wrong.txt"
expect_exit 1 "a wrong quant value fails" "$BURN" golden "$TMP/one-wrong.txt"
expect_grep "wrong quant: summary" '^587 passed, 1 failed$' "$TMP/out"
expect_grep "wrong quant: the failure in full" \
	'^FAIL .*one-wrong.txt:1: quant ap_fixed<8,3,AP_TRN,AP_WRAP> x=.*expected raw -123 .* got raw -124' "$TMP/out"

# one wrong output of a dense block
awk 'BEGIN { done = 0 }
     !done && $1 == "y" { $2 = $2 + 1; done = 1 } { print }' "$cases" >"$TMP/dense-wrong.txt"
expect_exit 1 "a wrong dense output fails" "$BURN" golden "$TMP/dense-wrong.txt"
expect_grep "wrong dense: summary" '^587 passed, 1 failed$' "$TMP/out"
expect_grep "wrong dense: names the block" '^FAIL .*dense-wrong.txt:[0-9]+: dense v0 .*1 of 1 outputs differ' "$TMP/out"
expect_grep "wrong dense: shows the types" '^  types data=ap_fixed<16,6,AP_TRN,AP_WRAP> ' "$TMP/out"
expect_grep "wrong dense: expected and got" '^  first difference: y\[0\] expected 2303 .*got 2302' "$TMP/out"

# many failures: only the first five in full, all counted (raws moved by one, in range)
awk '$1 == "quant" { $4 = ($4 % 2 == 0) ? $4 + 1 : $4 - 1 } { print }' "$cases" >"$TMP/all-wrong.txt"
expect_exit 1 "all quant values wrong" "$BURN" golden "$TMP/all-wrong.txt"
expect_grep "all wrong: summary" '^28 passed, 560 failed$' "$TMP/out"
expect_eq "all wrong: five shown" "$(grep -c '^FAIL' "$TMP/out")" 5
expect_exit 1 "--show 0" "$BURN" golden --show 0 "$TMP/all-wrong.txt"
expect_eq "--show 0 shows none" "$(grep -c '^FAIL' "$TMP/out")" 0

# malformed files: exit 2, FILE:LINE named
bad() { # name line-number content
	printf '%s\n' "$3" >"$TMP/$1.txt"
	expect_exit 2 "malformed: $1" "$BURN" golden "$TMP/$1.txt"
	expect_grep "malformed: $1 names file:line" "$1.txt:$2: " "$TMP/out"
}
bad bad-type 2 "quant ap_fixed<8,3> 0x1p+0 32
quant ap_fixed<70,3> 0x1p+0 1"
bad bad-mode 1 "quant ap_fixed<8,3,AP_RDN,AP_SAT> 0x1p+0 32"
bad bad-x 1 "quant ap_fixed<8,3> zero 0"
bad bad-raw 1 "quant ap_fixed<8,3> 0x1p+0 3x"
bad raw-range 1 "quant ap_fixed<8,3> 0x1p+0 128"
bad missing 1 "quant ap_fixed<8,3> 0x1p+0"
bad extra 1 "quant ap_fixed<8,3> 0x1p+0 32 7"
bad keyword 3 "# a comment

qaunt ap_fixed<8,3> 0x1p+0 32"
bad dense-count 4 "dense d n_in=2 n_out=1 relu=0
types data=ap_fixed<8,3> weight=ap_fixed<8,3> bias=ap_fixed<8,3> accum=ap_fixed<16,6> result=ap_fixed<8,3>
x 0x1p+0 0x1p+0
w 0x1p+0
b 0x0p+0
y 64"
bad dense-short 2 "dense d n_in=1 n_out=1 relu=0
types data=ap_fixed<8,3> weight=ap_fixed<8,3>"
bad dense-eof 4 "dense d n_in=1 n_out=1 relu=0
types data=ap_fixed<8,3> weight=ap_fixed<8,3> bias=ap_fixed<8,3> accum=ap_fixed<16,6> result=ap_fixed<8,3>
x 0x1p+0
w 0x1p+0"
bad dense-header 1 "dense d n_in=0 n_out=1 relu=0"
printf '' >"$TMP/empty.txt"
expect_exit 2 "an empty file is malformed" "$BURN" golden "$TMP/empty.txt"
expect_exit 2 "a missing file" "$BURN" golden "$TMP/no-such-file.txt"
expect_grep "a missing file: named" 'no-such-file.txt' "$TMP/out"
expect_exit 2 "no FILE" "$BURN" golden
expect_exit 2 "unknown option" "$BURN" golden --frobnicate "$cases"

# a well-formed file in the optional forms: comments, spaces in types, no bias line
cat >"$TMP/forms.txt" <<'END'
# spaces inside a type, a decimal input, a no-bias dense block
quant ap_fixed<8, 3, AP_RND, AP_SAT> 1.5 48
quant ap_ufixed<8,3,AP_RND,AP_SAT> -inf 0
dense nb n_in=2 n_out=1 relu=1
types data=ap_fixed<8,3> weight=ap_fixed<8,3> bias=ap_fixed<8,3> accum=ap_fixed<16,6> result=ap_fixed<8,3>
x 0x1p+0 0x1p-1
w -0x1p+0 0x1p-1
y 0
END
expect_ok "optional forms pass" "$BURN" golden "$TMP/forms.txt"
expect_grep "optional forms: summary" '^3 passed, 0 failed$' "$TMP/out"

expect_ok "help" "$BURN" golden --help
expect_grep "help explains the format" 'quant TYPE X RAW' "$TMP/out"
t_done
