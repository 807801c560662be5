# Sourced by every script that runs Node (setup, test, test-faults, demo, .ci/run): puts a supported
# Node.js LTS first on PATH, or stops saying what was found and what is needed.
#
# Supported: Node.js 22 (22.12 or later) and 24, the LTS lines in support. When the `node` found is
# older (or missing while npm can still run), the official Node.js build is fetched from the npm
# registry (the `node` package's per-platform package, node-linux-<arch>, which holds the release's
# bin/node unchanged) into .tools/ of this checkout and used from there. Nothing outside the
# checkout changes. LANGGUARD_NODE_INSTALL=0 turns the download off (then an old Node is an error).

LANGGUARD_NODE_VERSION=24.22.3
# npm's sha512 integrity of each package, pinned: a registry answer that differs is refused.
declare -A LANGGUARD_NODE_INTEGRITY=(
  [x64]="sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=="
  [arm64]="sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw=="
)
LANGGUARD_NODE_REQUIREMENT="Node.js 22 (22.12 or later) or 24, the supported LTS lines"

# "yes" when the version given (e.g. 22.12.0) is one this project supports.
node_version_supported() {
  local major minor
  IFS=. read -r major minor _ <<<"$1"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  if ((major == 22)); then ((minor >= 12)); else ((major >= 24)); fi
}

node_tools_dir() { echo "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.tools"; }

install_project_node() {
  local tools arch pkg integrity work tarball got
  tools=$(node_tools_dir)
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "No Node.js build is pinned for $(uname -m); install $LANGGUARD_NODE_REQUIREMENT yourself." >&2; return 1 ;;
  esac
  [ "$(uname -s)" = Linux ] || { echo "Install $LANGGUARD_NODE_REQUIREMENT yourself (automatic install is for Linux)." >&2; return 1; }
  command -v npm >/dev/null 2>&1 || { echo "npm is not available to fetch Node.js; install $LANGGUARD_NODE_REQUIREMENT yourself." >&2; return 1; }
  pkg="node-linux-$arch@$LANGGUARD_NODE_VERSION"
  integrity=${LANGGUARD_NODE_INTEGRITY[$arch]}
  echo "==> Installing Node.js $LANGGUARD_NODE_VERSION for this checkout only: the official linux-$arch build from the npm registry ($pkg) into .tools/node" >&2
  work=$(mktemp -d)
  got=$(npm view "$pkg" dist.integrity 2>/dev/null)
  if [ "$got" != "$integrity" ]; then
    echo "The registry's $pkg has integrity '${got:-none}', not the pinned one; refusing it." >&2
    rm -rf "$work"; return 1
  fi
  # npm pack checks the download against that integrity.
  tarball=$(cd "$work" && npm pack --silent "$pkg" 2>/dev/null | tail -n 1)
  if [ -z "$tarball" ] || [ ! -s "$work/$tarball" ]; then
    echo "Could not download $pkg from the npm registry." >&2
    rm -rf "$work"; return 1
  fi
  # The node that runs npm checks it too (npm is a node program, so one is there).
  got="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$work/$tarball")"
  if [ "$got" != "$integrity" ]; then
    echo "The downloaded $pkg does not match its pinned integrity; refusing it." >&2
    rm -rf "$work"; return 1
  fi
  mkdir -p "$tools"
  rm -rf "$tools/node-v$LANGGUARD_NODE_VERSION"
  mkdir "$tools/node-v$LANGGUARD_NODE_VERSION"
  tar -xzf "$work/$tarball" -C "$tools/node-v$LANGGUARD_NODE_VERSION" --strip-components=1
  rm -rf "$work"
  ln -sfn "node-v$LANGGUARD_NODE_VERSION" "$tools/node"
  "$tools/node/bin/node" --version >/dev/null || { echo "The installed Node.js does not run here." >&2; return 1; }
}

# Puts a supported node first on PATH (exported), or prints why not and returns 1.
use_supported_node() {
  local tools found
  tools=$(node_tools_dir)
  if [ -x "$tools/node/bin/node" ] && [ "$("$tools/node/bin/node" -p process.versions.node 2>/dev/null)" = "$LANGGUARD_NODE_VERSION" ]; then
    case ":$PATH:" in *":$tools/node/bin:"*) ;; *) export PATH="$tools/node/bin:$PATH" ;; esac
    return 0
  fi
  found=$(node -p process.versions.node 2>/dev/null || true)
  if [ -n "$found" ] && node_version_supported "$found"; then return 0; fi
  if [ -n "$found" ]; then
    echo "Node.js $found found ($(command -v node)) is too old: this project needs $LANGGUARD_NODE_REQUIREMENT." >&2
  else
    echo "Node.js was not found: this project needs $LANGGUARD_NODE_REQUIREMENT." >&2
  fi
  if [ "${LANGGUARD_NODE_INSTALL:-1}" = 0 ]; then
    echo "Install one (https://nodejs.org/en/download) and run again (LANGGUARD_NODE_INSTALL=0 turned the automatic install off)." >&2
    return 1
  fi
  install_project_node || { echo "Install $LANGGUARD_NODE_REQUIREMENT, then run again." >&2; return 1; }
  export PATH="$tools/node/bin:$PATH"
  echo "==> Using Node.js $(node -p process.versions.node) from .tools/node (the system's stays as it is)" >&2
}
