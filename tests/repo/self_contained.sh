#!/usr/bin/env bash
# The repository cites only itself: a reader with nothing but the repository finds every fact and
# file it relies on. Fails, naming file and line, when
#   - any file points outside the repository (a /work/... path, REFERENCE.md, shared/...);
#   - any file cites the raw output of one particular benchmark run (a run directory such as
#     decisions-20261126T102426Z under build/bench-results/: build/ is never committed, so the
#     numbers belong in the document that quotes them);
#   - a Markdown file names a repository file or folder (`data/README.md`, `tests/unit/`) that does
#     not exist.
#
#   tests/repo/self_contained.sh [REPOSITORY_ROOT]      # run by ctest as `repo_self_contained`
set -euo pipefail

root=${1:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}
cd -- "$root"
self=tests/repo/self_contained.sh

# Tracked and new files, never what .gitignore hides (build/); without git, everything but build/.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard | sort -u)
else
  mapfile -t files < <(find . -path ./build -prune -o -path ./.git -prune -o -type f -print |
    sed 's|^\./||' | sort)
fi
others=()
markdown=()
for file in "${files[@]}"; do
  [[ -f $file && $file != "$self" ]] || continue
  others+=("$file")
  [[ $file == *.md ]] && markdown+=("$file")
done

problems=0
report() {
  echo "$1: $2" >&2
  problems=$((problems + 1))
}

# -I: text files only.
while IFS= read -r hit; do
  report "${hit%%:*}:$(cut -d: -f2 <<<"$hit")" "cites a file outside the repository: ${hit#*:*:}"
done < <(grep -HInE '/work/|REFERENCE\.md|shared/REFERENCE' -- "${others[@]}" || true)

while IFS= read -r hit; do
  report "${hit%%:*}:$(cut -d: -f2 <<<"$hit")" \
    "cites one benchmark run's raw output, which is not committed: ${hit#*:*:}"
done < <(grep -HInE 'decisions-[0-9]{8}T[0-9]{6}Z' -- "${others[@]}" || true)

# `dir/...` in Markdown, where dir is a top-level folder of the repository: a file (with an
# extension) or a folder (ending in /) must exist. Build outputs (build/...), binaries and patterns
# (`*`, `<UTC>`) are not files of the repository and are not checked.
while IFS=: read -r file line token; do
  path=${token//\`/}
  top=${path%%/*}
  [[ $top != build && -d $top ]] || continue
  [[ $path == */ || ${path##*/} == *.* ]] || continue
  [[ -e $path ]] || report "$file:$line" "names $path, which is not in the repository"
done < <(grep -HnoE '`[a-z_]+/[A-Za-z0-9_./-]*`' -- "${markdown[@]}" || true)

if ((problems > 0)); then
  echo "repo_self_contained: $problems citation(s) a reader of the repository cannot follow" >&2
  exit 1
fi
echo "repo_self_contained: ${#others[@]} files, ${#markdown[@]} Markdown; every citation is in the repository"
