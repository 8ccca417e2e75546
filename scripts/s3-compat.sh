#!/usr/bin/env bash
# The S3 compatibility suite Storj's gateway CI runs, against dcsim's gateway: the ceph/s3-tests listed in
# scripts/s3-compat/all.tests (Storj's list), on a fresh testnet in a temp dir on free ports.
#
#   scripts/s3-compat.sh <path to an s3-tests checkout> [pytest args]
#
# The checkout is ceph/s3-tests, ideally at the commit Storj pins (see the head of all.tests); it is another
# project's code and is never copied into this repo. It runs with Debian's python3 and its packages
# (python3-boto python3-boto3 python3-pytest python3-munch python3-gevent python3-isodate python3-httplib2
# python3-lxml python3-yaml), not tox: $S3COMPAT_PYTHON picks another interpreter.
# Extra args go to pytest (e.g. `-k tagging`, `-x`); the testnet's log files are kept in the results dir.
#
# Results in $S3COMPAT_RESULTS (default .s3-compat/ in the repo): results.tsv (one line per test: outcome,
# test, phase, message), junit.xml, pytest.log, logs/. Exit 0 when every test ran passed, 1 when some
# failed or some listed test is missing from the checkout, 2 when the suite could not run (bad checkout,
# missing packages, the testnet did not start, pytest ran nothing).
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
list="$here/s3-compat/all.tests"
python=${S3COMPAT_PYTHON:-/usr/bin/python3}
bin="$root/node_modules/.bin"

die() {
  echo "s3-compat: $*" >&2
  exit 2
}

[ $# -ge 1 ] || die "usage: scripts/s3-compat.sh <path to an s3-tests checkout> [pytest args]"
checkout=$(cd "$1" 2>/dev/null && pwd) || die "$1: no such directory"
shift
[ -f "$checkout/s3tests_boto3/functional/__init__.py" ] || die "$checkout is not an s3-tests checkout (no s3tests_boto3/functional)"
[ -x "$bin/testnet" ] && [ -x "$bin/tsx" ] || die "no node_modules in $root: run npm ci first"
"$python" -c 'import boto, boto3, pytest, munch, gevent, isodate, httplib2, lxml, yaml' 2>/dev/null ||
  die "$python lacks the suite's modules: apt-get install python3-boto python3-boto3 python3-pytest python3-munch" \
    "python3-gevent python3-isodate python3-httplib2 python3-lxml python3-yaml"

results=${S3COMPAT_RESULTS:-$root/.s3-compat}
mkdir -p "$results" && results=$(cd "$results" && pwd) || die "cannot write results to $results"
rm -rf "$results/results.tsv" "$results/junit.xml" "$results/pytest.log" "$results/logs"

work=$(mktemp -d "${TMPDIR:-/tmp}/dcsim-s3-compat-XXXXXX") || die "cannot make a temp dir"
net="$work/testnet"

# Whatever happens from here on (failure, Ctrl-C, kill), the testnet is stopped and the temp dir removed.
child=
starting=
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "$child" ]; then
    [ -n "$starting" ] || kill "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  if [ -f "$net/state.json" ]; then
    [ -d "$net/logs" ] && cp -r "$net/logs" "$results/logs"
    if ! "$bin/testnet" stop --dir "$net" >"$work/stop.log" 2>&1; then
      echo "s3-compat: could not stop the testnet in $net (left in place):" >&2
      cat "$work/stop.log" >&2
      exit 2
    fi
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Bash runs a trap only once the foreground command has returned: each step runs as a child waited for, so
# Ctrl-C or a kill reaches cleanup at once, and cleanup stops the child.
run_child() {
  "$@" &
  child=$!
  local status=0
  wait "$child" || status=$?
  child=
  return "$status"
}

# The suite sees only its own configuration: none of this machine's AWS_* or boto settings. (Run by run_child,
# in a subshell of its own, which python replaces.)
suite_python() {
  cd "$checkout"
  for name in $(compgen -e); do if [[ $name == AWS_* ]]; then unset "$name"; fi; done
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null BOTO_CONFIG=/dev/null PYTHONDONTWRITEBYTECODE=1
  exec "$python" -m pytest -p no:cacheprovider -p no:warnings "$@"
}

# Tests the checkout lacks (another commit than Storj's) are named and left out rather than failing the run.
mapfile -t listed < <(grep '^[^#]' "$list")
mapfile -t files < <(printf '%s\n' "${listed[@]%%::*}" | sort -u)
run_child suite_python --collect-only -q "${files[@]}" >"$work/collected" 2>&1 ||
  { tail -20 "$work/collected" >&2; die "pytest could not collect the suite's tests in $checkout"; }
mapfile -t tests < <(grep -Fxf "$work/collected" <(printf '%s\n' "${listed[@]}"))
missing=$((${#listed[@]} - ${#tests[@]}))
if [ "$missing" -gt 0 ]; then
  echo "s3-compat: $missing listed tests are not in this checkout:" >&2
  printf '%s\n' "${listed[@]}" | grep -vFxf "$work/collected" | sed 's/^/  /' >&2
fi
[ ${#tests[@]} -gt 0 ] || die "none of the listed tests is in $checkout"

echo "s3-compat: starting a testnet in $net"
# The start is waited for (seconds), not stopped: cut short, it can leave processes that state.json does not
# name yet. In a session of its own, so a Ctrl-C at the terminal does not reach it either.
starting=1
run_child setsid "$bin/testnet" start --detach --dir "$net" --port-base 0 >"$work/start.log" 2>&1 ||
  { cat "$work/start.log" >&2; die "the testnet did not start"; }
starting=
run_child "$bin/tsx" "$here/s3-compat/config.ts" "$net" "$work/s3tests.conf" || die "could not write the s3-tests configuration"

echo "s3-compat: running ${#tests[@]} listed tests from $checkout (log: $results/pytest.log)"
export S3TEST_CONF="$work/s3tests.conf" S3COMPAT_RESULTS_FILE="$results/results.tsv" PYTHONPATH="$here/s3-compat"
code=0
run_child suite_python -p s3compat_report -rfE --junitxml="$results/junit.xml" "${tests[@]}" "$@" >"$results/pytest.log" 2>&1 ||
  code=$?
# pytest: 0 all passed, 1 some failed; anything else (interrupted, internal or usage error, nothing ran) is ours.
if [ "$code" -gt 1 ] || [ ! -s "$results/results.tsv" ]; then
  tail -30 "$results/pytest.log" >&2
  die "pytest could not run the suite (exit $code)"
fi

count() { awk -F'\t' -v o="$1" '$1 == o' "$results/results.tsv" | wc -l; }
ran=$(wc -l <"$results/results.tsv")
echo "s3-compat: $(count passed) of $ran passed ($(count failed) failed, $(count error) errors in setup or teardown," \
  "$(count skipped) skipped; ${#listed[@]} listed, $missing not in the checkout); results in $results/results.tsv"
[ "$missing" -eq 0 ] || code=1
exit "$code"
