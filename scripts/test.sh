#!/usr/bin/env bash
# The project's one test command, run by developers and by CI (.ci/run):
#
#   scripts/test.sh                 # fmt, clippy, then every test target against local moto
#   scripts/test.sh conformance     # extra arguments go to `cargo test` (here a name filter)
#
# Needs: a Rust toolchain with rustfmt and clippy, and python3 with pip/venv (for moto and the
# AWS CLI, installed into .venv from PyPI on the first run). Tests run with HOME set to a
# fresh temporary directory and no AWS_* variables from your environment, against a moto
# server on a free 127.0.0.1 port that is stopped when this script exits.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

section() { printf '\n==> %s\n' "$*"; }
fail() {
    printf '\ntest.sh: FAILED: %s\n' "$*" >&2
    exit 1
}
elapsed() { printf '%ss' "$((SECONDS - $1))"; }

TEST_HOME=''
cleanup() {
    local rc=$?
    set +e
    moto_stop
    [[ -n "$TEST_HOME" ]] && rm -rf "$TEST_HOME"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=scripts/moto-server.sh
source "$REPO_ROOT/scripts/moto-server.sh"

start_all=$SECONDS

section "Tools"
command -v cargo >/dev/null 2>&1 || fail "cargo not found on PATH: install a Rust toolchain"
cargo fmt --version >/dev/null 2>&1 || fail "rustfmt is missing: rustup component add rustfmt"
cargo clippy --version >/dev/null 2>&1 || fail "clippy is missing: rustup component add clippy"
printf '%s; %s; %s\n' "$(cargo --version)" "$(cargo clippy --version)" "$(${PYTHON:-python3} --version 2>&1)"

section "Python venv (moto, awscli)"
t=$SECONDS
moto_ensure_venv || fail "could not set up .venv with moto and the AWS CLI"
printf 'ready: %s %s (%s)\n' "$MOTO_PIN" "$AWSCLI_PIN" "$(elapsed "$t")"

# From here on nothing may reach a real AWS account or the real ~/.aws: drop every AWS_*
# variable and point HOME at a fresh directory. Cargo and rustup keep their own homes.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
while IFS= read -r name; do
    unset "$name"
done < <(compgen -e | grep -E '^(AWS_|XDG_(CONFIG|DATA|STATE|CACHE)_HOME$)' || true)
TEST_HOME="$(mktemp -d "${TMPDIR:-/tmp}/credwiz-test-home.XXXXXX")"
export HOME="$TEST_HOME"
export AWS_EC2_METADATA_DISABLED=true

section "cargo fmt --check"
t=$SECONDS
cargo fmt --check || fail "cargo fmt --check: code is not formatted (run cargo fmt)"
printf 'ok (%s)\n' "$(elapsed "$t")"

section "cargo clippy --all-targets -- -D warnings"
t=$SECONDS
cargo clippy --all-targets -- -D warnings || fail "cargo clippy reported warnings or errors"
printf 'ok (%s)\n' "$(elapsed "$t")"

section "Build tests"
t=$SECONDS
cargo test --all-targets --no-run || fail "the tests do not build"
printf 'ok (%s)\n' "$(elapsed "$t")"

section "Start moto"
t=$SECONDS
moto_start || fail "could not start and bootstrap the moto server (log: target/moto.log)"
printf 'ok (%s)\n' "$(elapsed "$t")"

section "cargo test --all-targets $*"
t=$SECONDS
cargo test --all-targets "$@" || fail "cargo test failed"
printf 'ok (%s)\n' "$(elapsed "$t")"

section "Stop moto"
moto_stop

printf '\ntest.sh: all checks passed (%s in all)\n' "$(elapsed "$start_all")"
