# Sourced by setup.sh and image.sh: the Python floor, and one way to build a virtual environment
# from a requirements file, so the bridge's environment is built the same on a laptop, in CI and in
# the image.

# The oldest Python every package of python-bridge/requirements.lock supports (their highest
# Requires-Python; tests/toolchain.test.ts checks it against the lock).
LANGGUARD_PYTHON_FLOOR=3.11

python_version_of() { "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null; }

python_supported() {
  local major minor floor_major floor_minor
  IFS=. read -r major minor _ <<<"$1"
  IFS=. read -r floor_major floor_minor <<<"$LANGGUARD_PYTHON_FLOOR"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  ((major > floor_major || (major == floor_major && minor >= floor_minor)))
}

# Prints the interpreter to build environments with: SETUP_PYTHON if set, else the first of
# python3, python3.14 … python3.11 that is new enough. Otherwise says what it found and returns 1.
find_python() {
  local candidate version found=""
  for candidate in ${SETUP_PYTHON:-python3 python3.14 python3.13 python3.12 python3.11}; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    version=$(python_version_of "$candidate") || continue
    if python_supported "$version"; then
      command -v "$candidate"
      return 0
    fi
    found="$found $candidate ($version)"
  done
  if [ -n "$found" ]; then
    echo "Python is too old:$found; the bridge needs Python $LANGGUARD_PYTHON_FLOOR or later (every package of python-bridge/requirements.lock supports it). Install one, or set SETUP_PYTHON to its path." >&2
  else
    echo "Python 3 was not found; the bridge needs Python $LANGGUARD_PYTHON_FLOOR or later (or set SETUP_PYTHON to its path)." >&2
  fi
  return 1
}

# make_venv DIR PYTHON REQUIREMENTS "IMPORTS": (re)builds DIR from REQUIREMENTS unless it was built
# from the same file by the same interpreter version. A rebuild starts empty, so the environment
# holds exactly what the file asks for. Fails when pip fails, the set is inconsistent (pip check),
# or IMPORTS (a Python import statement) fails.
make_venv() {
  local dir=$1 python=$2 requirements=$3 imports=$4 stamp
  stamp="$(sha256sum "$requirements" | cut -c1-16) $(python_version_of "$python")"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.requirements" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  echo "Building $dir from $requirements with $python ($(python_version_of "$python"))"
  rm -rf "$dir"
  "$python" -m venv "$dir"
  # pip's own warnings about unusable extra indexes are noise; its errors still stop the build.
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip 2> >(grep -v "^WARNING: Location" >&2)
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" 2> >(grep -v "^WARNING: Location" >&2)
  "$dir/bin/python" -m pip check --disable-pip-version-check
  "$dir/bin/python" -c "$imports"
  echo "$stamp" >"$dir/.requirements"
}
