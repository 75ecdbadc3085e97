#!/usr/bin/env bash
# Configure and build one CMake preset of creditgate.
# Source this file, then: creditgate_build PRESET [TARGET...]   (presets: dev, ci, asan, tsan — see
# CMakePresets.json; with targets, only those and what they need are built)
#
# cmake's own output goes to stderr; the only line on stdout is the absolute build directory, so
# both `creditgate_build ci` and `dir=$(creditgate_build ci)` work. The directory is also left in
# CREDITGATE_BUILD_DIR when called without a subshell.

CREDITGATE_ROOT=${CREDITGATE_ROOT:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}
CREDITGATE_BUILD_JOBS=${CREDITGATE_BUILD_JOBS:-2}

creditgate_build() {
  local preset=${1:?usage: creditgate_build PRESET [TARGET...]}
  shift
  local dir=$CREDITGATE_ROOT/build/$preset
  local targets=()
  (($# > 0)) && targets=(--target "$@")

  (
    cd -- "$CREDITGATE_ROOT" || exit 1
    cmake --preset "$preset" || exit $?
    # Presets without a build preset (asan, tsan at the time of writing) build the directory directly.
    if cmake --build --list-presets 2>/dev/null | grep -qF "\"$preset\""; then
      cmake --build --preset "$preset" "${targets[@]}" || exit $?
    else
      cmake --build "$dir" --parallel "$CREDITGATE_BUILD_JOBS" "${targets[@]}" || exit $?
    fi
  ) >&2 || {
    local rc=$?
    echo "error: build of preset '$preset' failed (exit $rc)" >&2
    return "$rc"
  }

  # shellcheck disable=SC2034  # read by the caller
  CREDITGATE_BUILD_DIR=$dir
  echo "$dir"
}
