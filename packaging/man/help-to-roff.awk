# help-to-roff.awk: a man page (roff, the man macros) from a program's --help, so that the page
# and --help are one text (packaging/man/CMakeLists.txt runs it on the built binaries).
#
#   prog --help | awk -f help-to-roff.awk -v name=prog -v section=1 -v date=2025-01-31 \
#       -v source="creditgate 0.1.0" -v manual="User Commands" -v see_also="other(8),more(1)"
#
# The --help layout it reads (creditctl's and creditgate-server's):
#   usage: NAME ...                  -> SYNOPSIS
#   NAME does this and that.         -> NAME (this line, without NAME and the final "."), and with
#   more lines up to a blank line       the lines after it DESCRIPTION
#   some section:                    -> a section ("SOME SECTION"); its entries:
#     TERM   text                       a tagged paragraph (the term starts at column 3; at least
#         more text                     two spaces before its text, or the text on deeper lines)
#   commands:                        -> COMMANDS: "  NAME WORDS ARGS" begins a command (deeper
#     NAME cmd ARGS                     lines before its text continue the usage), its text is
#         text                          indented 4, a list inside the text ("TERM   text") 6.
# Anything else is an error: the page must not quietly lose a part of --help. POSIX awk (mawk).

function fail(message) {
  printf "help-to-roff.awk: line %d: %s\n", NR, message > "/dev/stderr"
  failed = 1
  exit 1
}

# Text for a roff text line: backslashes and minus signs escaped, no control character first.
function esc(s) {
  gsub(/\\/, "\\e", s)
  gsub(/-/, "\\-", s)
  if (s ~ /^[.']/) s = "\\&" s
  return s
}

function indent_of(s) {
  match(s, /^ */)
  return RLENGTH
}

function trim(s) {
  sub(/^ +/, "", s)
  sub(/ +$/, "", s)
  return s
}

# A usage or an option's term: options and literal words bold, placeholders (with an upper-case
# letter) italic, the brackets, bars and commas between them roman.
function synopsis(s,    out, atom, c, i) {
  out = ""
  atom = ""
  for (i = 1; i <= length(s) + 1; i++) {
    c = i <= length(s) ? substr(s, i, 1) : " "
    if (c == " " || c == "[" || c == "]" || c == "|" || c == ",") {
      if (atom != "") {
        if (atom ~ /[A-Z]/) out = out "\\fI" esc(atom) "\\fR"
        else if (atom == "...") out = out atom
        else out = out "\\fB" esc(atom) "\\fR"
        atom = ""
      }
      out = out c
    } else {
      atom = atom c
    }
  }
  sub(/ +$/, "", out)
  return out
}

function term(s) {
  if (current == "OPTIONS" || current == "COMMANDS") return synopsis(s)
  if (current == "FILES") return "\\fI" esc(s) "\\fR"
  return "\\fB" esc(s) "\\fR"
}

function emit(s) {
  body[current] = body[current] s "\n"
}

function close_list() {
  if (in_list) {
    emit(".RE")
    emit(".IP")
    in_list = 0
  }
}

function open_entry(t) {
  close_list()
  emit(".TP")
  pending_term = t
  has_text = 0
}

function flush_term() {
  if (pending_term != "") {
    emit(term(pending_term))
    pending_term = ""
  }
}

function text(s) {
  flush_term()
  has_text = 1
  emit(esc(s))
}

BEGIN {
  if (name == "" || section == "" || date == "" || source == "" || manual == "") {
    fail("name, section, date, source and manual are required (-v name=...)")
  }
  part = "usage"
}

part == "usage" {
  if (index($0, "usage: " name " ") != 1 && $0 != "usage: " name) {
    fail("--help must begin with \"usage: " name "\"")
  }
  usage = substr($0, length("usage: " name) + 2)
  part = "name"
  next
}

part == "name" {
  if (index($0, name " ") != 1) fail("the line after the usage must begin with \"" name " \"")
  summary = substr($0, length(name) + 2)
  sub(/\.$/, "", summary)
  up = toupper(name)
  gsub(/"/, "", date)
  printf ".TH %s %s \"%s\" \"%s\" \"%s\"\n", esc(up), section, date, source, manual
  print ".nh"  # no hyphenation: names and paths stay whole
  print ".ad l"
  print ".SH NAME"
  print esc(name) " \\- " esc(summary)
  print ".SH SYNOPSIS"
  print ".B " esc(name)
  if (usage != "") print synopsis(usage)
  print ".SH DESCRIPTION"
  print esc($0)
  part = "description"
  next
}

part == "description" {
  if ($0 == "") {
    part = "sections"
    next
  }
  print esc(trim($0))
  next
}

# part == "sections"
/^[a-z][a-z ]*:$/ {
  close_list()
  current = toupper(substr($0, 1, length($0) - 1))
  if (current in body) fail("a second \"" $0 "\"")
  body[current] = ""
  order[++sections] = current
  next
}

$0 == "" { next }

current == "" { fail("text outside a section: " $0) }

current == "COMMANDS" {
  depth = indent_of($0)
  line = trim($0)
  if (depth == 2) {
    if (index(line, name " ") != 1) fail("a command must begin with \"" name " \"")
    open_entry(substr(line, length(name) + 2))
  } else if (pending_term != "" && !has_text && depth > 4) {
    pending_term = pending_term " " line  # the usage goes on
  } else if (depth == 4) {
    close_list()
    text(line)
  } else if (depth >= 6 && has_text) {
    if (depth < 10 && match(line, /  +/)) {
      if (!in_list) emit(".RS")
      in_list = 1
      emit(".TP")
      emit("\\fB" esc(substr(line, 1, RSTART - 1)) "\\fR")
      emit(esc(substr(line, RSTART + RLENGTH)))
    } else if (in_list) {
      emit(esc(line))
    } else {
      fail("a deeper line that is no list item: " $0)
    }
  } else {
    fail("unexpected indentation in commands: " $0)
  }
  next
}

{
  depth = indent_of($0)
  line = trim($0)
  if (depth == 2) {
    if (match(line, /  +/)) {
      open_entry(substr(line, 1, RSTART - 1))
      text(substr(line, RSTART + RLENGTH))
    } else {
      open_entry(line)
    }
  } else if (depth > 2 && (pending_term != "" || has_text)) {
    text(line)
  } else {
    fail("unexpected indentation in " tolower(current) ": " $0)
  }
}

END {
  if (failed) exit 1
  if (part != "sections") fail("--help ended before its first section")
  close_list()
  # The usual order of a man page (man-pages(7)); the commands after the options, and a section
  # it does not know (e.g. SIGNALS) before EXIT STATUS.
  known = "OPTIONS,COMMANDS,,EXIT STATUS,ENVIRONMENT,FILES"
  n = split(known, wanted, ",")
  for (i = 1; i <= n; i++) {
    if (wanted[i] == "") {
      for (j = 1; j <= sections; j++) {
        if (index("," known ",", "," order[j] ",") == 0) print_section(order[j])
      }
    } else if (wanted[i] in body) {
      print_section(wanted[i])
    }
  }
  if (see_also != "") {
    print ".SH SEE ALSO"
    n = split(see_also, pages, ",")
    for (i = 1; i <= n; i++) {
      page = pages[i]
      if (!match(page, /\([0-9a-z]+\)$/)) fail("see_also wants name(section): " page)
      printf ".BR %s %s%s\n", esc(substr(page, 1, RSTART - 1)), substr(page, RSTART),
        i < n ? "," : ""
    }
  }
}

function print_section(title) {
  print ".SH " title
  printf "%s", body[title]
}
