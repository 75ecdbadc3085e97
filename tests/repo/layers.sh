#!/usr/bin/env bash
# The plugin's layers are enforced by the build: a folder's headers are on the include path only of
# the libraries that link it (plugin/CMakeLists.txt). A quoted include with a path ("../gate/x.hpp")
# would walk around that, so plugin code includes its own project's headers by bare name, and the
# host API as "creditgate/...". Fails, naming file and line, for any other quoted include with a
# slash in plugin/.
#
#   tests/repo/layers.sh [REPOSITORY_ROOT]      # run by ctest as `repo_layers`
set -euo pipefail

root=${1:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}
cd -- "$root"

if found=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' plugin/ |
  grep -vE '#[[:space:]]*include[[:space:]]*"creditgate/[^"./][^"]*"'); then
  echo "error: quoted includes with a path in plugin/ bypass the layering (include by bare name," >&2
  echo "and link the layer in plugin/CMakeLists.txt if it is below this one):" >&2
  echo "$found" >&2
  exit 1
fi
echo "repo_layers: plugin/ includes its headers by bare name only"
