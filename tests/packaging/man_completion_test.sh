    grep -qx -- "$want" <<<"$got" ||
      fail "completing '$typed' offers no '$want' (offers: ${got//$'\n'/ })"#!/usr/bin/env bash
# What a user of the installed package sees: the man pages made from --help (packaging/man) and
# the bash completion (packaging/completion).
#   - each page renders without a warning, as lintian checks it (man --warnings) and with
#     groff -ww; lexgrog reads its NAME; it is gzip'ed without a name or a time (reproducible);
#   - creditctl(1) names every command and option `creditctl --help` lists, creditgate-server(8)
#     every option of `creditgate-server --help`, both the version --version prints;
#   - the completion offers the commands, the words that follow (tenant -> add), a command's
#     options, an option's values and directories.
#
#   tests/packaging/man_completion_test.sh CREDITCTL CREDITGATE_SERVER MAN_DIR SOURCE_DIR
#   (run by ctest as `man_completion`; MAN_DIR holds creditctl.1.gz and creditgate-server.8.gz)
set -uo pipefail

creditctl=${1:?usage: man_completion_test.sh CREDITCTL CREDITGATE_SERVER MAN_DIR SOURCE_DIR}
server=${2:?}
man_dir=${3:?}
source_dir=${4:?}
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

export LC_ALL=C.UTF-8 MANWIDTH=80
unset MANPAGER PAGER MAN_KEEP_FORMATTING MANOPT

# The command names of `creditctl --help` ("tenant add"), as a user reads them there.
mapfile -t commands < <("$creditctl" --help | awk '
  /^[a-z][a-z ]*:$/ { section = $0; next }
  section == "commands:" && /^  creditctl / {
    name = ""
    for (i = 2; i <= NF && $i ~ /^[a-z][a-z0-9-]*$/; i++) name = name (name == "" ? "" : " ") $i
    print name
  }')
((${#commands[@]} >= 20)) || fail "creditctl --help lists only ${#commands[@]} commands"

# check_page PAGE.gz PROGRAM SECTION...: checks the page; leaves its text, as man -l shows it, in
# $rendered.
check_page() {
  local page=$1 program=$2 name out section
  rendered=""
  shift 2
  name=$(basename "$program")
  if [[ ! -f $page ]]; then
    fail "$page is missing"
    return
  fi
  # lintian's check (manpage-has-errors-from-man): no output at all.
  out=$(MANROFFSEQ='' man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
  [[ -z $out ]] || fail "man --warnings on $page: $out"
  out=$(zcat -- "$page" | groff -man -Tutf8 -ww -z 2>&1)
  [[ -z $out ]] || fail "groff -ww on $page: $out"
  out=$(lexgrog "$page" 2>&1)
  [[ $out == *": \"$name - "?* ]] || fail "lexgrog cannot read the NAME of $page: $out"
  # gzip -n: no file name (flag 0x08), a zero time; so the package is reproducible.
  read -r _ flags m1 m2 m3 m4 < <(od -An -tx1 -j2 -N6 -- "$page")
  [[ $((16#$flags & 8)) == 0 && "$m1$m2$m3$m4" == 00000000 ]] ||
    fail "$page keeps a file name or a time (not gzip -n)"

  rendered=$(man -l "$page" 2>&1)
  [[ $rendered == *"${name^^}("* ]] || fail "man -l $page shows no ${name^^}( header: $rendered"
  for section in NAME SYNOPSIS DESCRIPTION "$@" "SEE ALSO"; do
    grep -qx -- "$section" <<<"$rendered" || fail "$page has no $section section"
  done
  local version
  version=$("$program" --version)
  [[ $version == "$name "* ]] || fail "$name --version prints '$version'"
  grep -q -- "creditgate ${version#"$name "}" <<<"$rendered" ||
    fail "$page does not show the version ${version#"$name "}"
  # Every option --help names is on the page.
  local option
  while read -r option; do
    grep -qF -- "$option" <<<"$rendered" || fail "$page does not name $option (in $name --help)"
  done < <("$program" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
}

check_page "$man_dir/creditctl.1.gz" "$creditctl" OPTIONS COMMANDS "EXIT STATUS" ENVIRONMENT FILES
for command in "${commands[@]}"; do
  # A command's usage opens its paragraph: "       tenant add ID --currency CUR ...".
  grep -qE "^ {7}$command( |$)" <<<"$rendered" || fail "creditctl.1 does not describe '$command'"
done
check_page "$man_dir/creditgate-server.8.gz" "$server" OPTIONS SIGNALS "EXIT STATUS" FILES

# --- bash completion --------------------------------------------------------------------------
# shellcheck source=/dev/null
source "$source_dir/packaging/completion/creditctl" || fail "cannot source the creditctl completion"
# shellcheck source=/dev/null
source "$source_dir/packaging/completion/creditgate-server" ||
  fail "cannot source the creditgate-server completion"
[[ $(complete -p creditctl 2>&1) == *"-F _creditctl creditctl"* ]] ||
  fail "no completion registered for creditctl"
[[ $(complete -p creditgate-server 2>&1) == *"-F _creditgate_server creditgate-server"* ]] ||
  fail "no completion registered for creditgate-server"

# offered FUNCTION PROGRAM WORDS...: what the completion offers with the cursor on the last word.
offered() {
  local function=$1
  COMP_WORDS=("${@:2}")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  "$function" 2>/dev/null
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect_offer() {  # expect_offer "WHAT THE USER TYPED" WANTED... -- FUNCTION PROGRAM WORDS...
  local typed=$1 got want
  shift
  local -a wanted=()
  while [[ $1 != -- ]]; do
    wanted+=("$1")
    shift
  done
  shift
  got=$(offered "$@")
  for want in "${wanted[@]}"; do
    grep -qx -- "$want" <<<"$got" || fail "completing '$typed' offers no '$want' (offers: ${got//$'\n'/ })"
  done
}

first_words=$(printf '%s\n' "${commands[@]}" | cut -d' ' -f1 | sort -u)
got=$(offered _creditctl "$creditctl" "")
[[ $got == "$first_words" ]] ||
  fail "completing 'creditctl ' offers '${got//$'\n'/ }', not the first words of the" \
    "commands '${first_words//$'\n'/ }'"
expect_offer "creditctl " tenant apikey topup -- _creditctl "$creditctl" ""
expect_offer "creditctl ten" tenant -- _creditctl "$creditctl" ten
expect_offer "creditctl tenant " add contacts pricing -- _creditctl "$creditctl" tenant ""
expect_offer "creditctl apikey " add list revoke -- _creditctl "$creditctl" apikey ""
expect_offer "creditctl --dsn X tenant " add -- _creditctl "$creditctl" --dsn X tenant ""
expect_offer "creditctl limits " set -- _creditctl "$creditctl" limits ""
expect_offer "creditctl tenant add acme --" --currency --contact --dsn -- \
  _creditctl "$creditctl" tenant add acme --
expect_offer "creditctl batches acme --status " blocked flagged partial voided -- \
  _creditctl "$creditctl" batches acme --status ""
expect_offer "creditctl migrate --sql-dir SOURCE/sq" "$source_dir/sql" -- \
  _creditctl "$creditctl" migrate --sql-dir "$source_dir/sq"
expect_offer "creditctl quote --config X CAMPAIGNS" "$source_dir/demo/campaigns.json" -- \
  _creditctl "$creditctl" quote --config x.json "$source_dir/demo/camp"
expect_offer "creditgate-server --c" --config --check-config -- \
  _creditgate_server "$server" --c
expect_offer "creditgate-server --config SOURCE/demo/camp" "$source_dir/demo/campaigns.json" -- \
  _creditgate_server "$server" --config "$source_dir/demo/camp"

if ((failures > 0)); then
  echo "man_completion: $failures failure(s)" >&2
  exit 1
fi
echo "man_completion: both pages render without warnings and name all ${#commands[@]} commands;" \
  "the completion offers commands, words, options, values and files"
