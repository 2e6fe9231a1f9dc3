#!/usr/bin/env bash
# Local moto IAM/STS emulator for credwiz's tests.
#
# Sourced by scripts/test.sh (defines functions only), or run standalone:
#
#   scripts/moto-server.sh start   # set up .venv, start moto in the background, bootstrap admin
#   eval "$(scripts/moto-server.sh env)"   # export CREDWIZ_TEST_* into this shell
#   scripts/moto-server.sh stop    # stop the server started by `start`
#
# What it provides (see /work/shared/MOTO.md for moto's behaviour):
#   CREDWIZ_TEST_MOTO_ENDPOINT           http://127.0.0.1:PORT (IAM and STS)
#   CREDWIZ_TEST_ADMIN_ACCESS_KEY_ID     key of IAM user credwiz-test-admin (AdministratorAccess)
#   CREDWIZ_TEST_ADMIN_SECRET_ACCESS_KEY its secret (never printed)
#   CREDWIZ_TEST_AWS_CLI                 absolute path of the venv's `aws` (AWS CLI v1)
#   AWS_EC2_METADATA_DISABLED=true
#
# The server starts with INITIAL_NO_AUTH_ACTION_COUNT=3: exactly the three bootstrap calls
# are unauthenticated; after them every request is signature-checked and IAM policies are
# enforced.

# Pinned tool versions; the venv marker records them so a re-run is a no-op.
MOTO_PIN='moto[server]==5.2.5'
AWSCLI_PIN='awscli==1.46.3'
MOTO_ADMIN_USER='credwiz-test-admin'
MOTO_REGION='us-east-1'

MOTO_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOTO_VENV="$MOTO_REPO_ROOT/.venv"
MOTO_VENV_MARKER="$MOTO_VENV/.credwiz-pins"
MOTO_LOG="${MOTO_LOG:-$MOTO_REPO_ROOT/target/moto.log}"
# State of a standalone `start` (pid, port, admin key); /.moto is git-ignored.
MOTO_STATE_DIR="$MOTO_REPO_ROOT/.moto"
MOTO_START_TIMEOUT="${MOTO_START_TIMEOUT:-60}"

MOTO_PID=''

_moto_say() { printf '[moto] %s\n' "$*" >&2; }
_moto_die() {
    printf '[moto] ERROR: %s\n' "$*" >&2
    return 1
}

_moto_markers() {
    printf '%s\n%s\n' "$MOTO_PIN" "$AWSCLI_PIN"
}

# Create .venv and install the pinned moto and awscli; fast no-op when the marker matches.
moto_ensure_venv() {
    local python="${PYTHON:-python3}"
    mkdir -p "$MOTO_REPO_ROOT/target"
    # Serialise concurrent runs (several test.sh at once must not half-build the venv).
    local lock="$MOTO_REPO_ROOT/target/.venv.lock"
    exec {_moto_lock_fd}>"$lock" || _moto_die "cannot open lock file $lock" || return 1
    if command -v flock >/dev/null 2>&1; then
        flock "$_moto_lock_fd" || { exec {_moto_lock_fd}>&-; _moto_die "cannot lock $lock"; return 1; }
    fi
    local rc=0
    _moto_ensure_venv_locked "$python" || rc=$?
    exec {_moto_lock_fd}>&-
    return "$rc"
}

_moto_ensure_venv_locked() {
    local python="$1"
    if [[ -f "$MOTO_VENV_MARKER" && -x "$MOTO_VENV/bin/moto_server" && -x "$MOTO_VENV/bin/aws" ]] &&
        [[ "$(cat "$MOTO_VENV_MARKER")" == "$(_moto_markers)" ]] &&
        "$MOTO_VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        return 0
    fi
    if ! "$MOTO_VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        command -v "$python" >/dev/null 2>&1 ||
            { _moto_die "'$python' not found: install Python 3 (3.11 is known to work) with pip and venv"; return 1; }
        _moto_say "creating $MOTO_VENV with $("$python" --version 2>&1)"
        # --clear: a venv left broken (e.g. its interpreter moved) is rebuilt from scratch.
        "$python" -m venv --clear "$MOTO_VENV" ||
            { _moto_die "'$python -m venv' failed (on Debian's own python: apt-get install python3-venv)"; return 1; }
    fi
    rm -f "$MOTO_VENV_MARKER"
    _moto_say "installing $MOTO_PIN $AWSCLI_PIN into .venv (pip)"
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
        "$MOTO_VENV/bin/python" -m pip install --quiet "$MOTO_PIN" "$AWSCLI_PIN" ||
        { _moto_die "pip install of $MOTO_PIN $AWSCLI_PIN failed (needs PyPI access)"; return 1; }
    [[ -x "$MOTO_VENV/bin/moto_server" && -x "$MOTO_VENV/bin/aws" ]] ||
        { _moto_die "pip finished but .venv/bin/moto_server or .venv/bin/aws is missing"; return 1; }
    _moto_markers >"$MOTO_VENV_MARKER"
}

_moto_free_port() {
    "$MOTO_VENV/bin/python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

_moto_log_tail() {
    printf '[moto] ---- last lines of %s ----\n' "$MOTO_LOG" >&2
    tail -n 40 "$MOTO_LOG" >&2 2>/dev/null || true
    printf '[moto] ----\n' >&2
}

# Run the venv's aws CLI against moto with no user AWS config and the given key.
# Usage: _moto_aws KEY_ID SECRET aws-args...
_moto_aws() {
    local key_id="$1" secret="$2"
    shift 2
    local -a unset_aws=()
    local name
    while IFS= read -r name; do
        unset_aws+=(-u "$name")
    done < <(compgen -e | grep '^AWS_' || true)
    env "${unset_aws[@]}" \
        AWS_ACCESS_KEY_ID="$key_id" AWS_SECRET_ACCESS_KEY="$secret" \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
        AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 \
        "$MOTO_VENV/bin/aws" --endpoint-url "$CREDWIZ_TEST_MOTO_ENDPOINT" --region "$MOTO_REGION" \
        --output json "$@"
}

# Start moto on a free loopback port, wait for it, bootstrap the admin user and export the
# CREDWIZ_TEST_* variables into the current shell.
moto_start() {
    [[ -x "$MOTO_VENV/bin/moto_server" ]] || moto_ensure_venv || return 1
    mkdir -p "$(dirname "$MOTO_LOG")"
    : >"$MOTO_LOG"
    local attempt port deadline up
    for attempt in 1 2 3; do
        port="$(_moto_free_port)" || { _moto_die "could not pick a free port"; return 1; }
        printf '[moto] starting on 127.0.0.1:%s (attempt %s)\n' "$port" "$attempt" >>"$MOTO_LOG"
        MOTO_IAM_LOAD_MANAGED_POLICIES=true INITIAL_NO_AUTH_ACTION_COUNT=3 \
            nohup "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" </dev/null >>"$MOTO_LOG" 2>&1 &
        MOTO_PID=$!
        deadline=$((SECONDS + MOTO_START_TIMEOUT))
        up=''
        while ((SECONDS < deadline)); do
            if ! kill -0 "$MOTO_PID" 2>/dev/null; then
                break
            fi
            # A bare TCP connect: no HTTP request, so none of the 3 open calls is used up.
            if (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                up=1
                break
            fi
            sleep 0.2
        done
        [[ -n "$up" ]] && break
        if kill -0 "$MOTO_PID" 2>/dev/null; then
            kill "$MOTO_PID" 2>/dev/null || true
            wait "$MOTO_PID" 2>/dev/null || true
            MOTO_PID=''
            _moto_log_tail
            _moto_die "moto_server did not accept connections on 127.0.0.1:$port within ${MOTO_START_TIMEOUT}s"
            return 1
        fi
        wait "$MOTO_PID" 2>/dev/null || true
        MOTO_PID=''
        # Died early: most likely the port was taken between picking and binding; retry.
        if ! grep -qi 'address already in use' "$MOTO_LOG"; then
            _moto_log_tail
            _moto_die "moto_server exited during startup"
            return 1
        fi
    done
    if [[ -z "$MOTO_PID" ]]; then
        _moto_log_tail
        _moto_die "moto_server could not bind a free port in 3 attempts"
        return 1
    fi

    export CREDWIZ_TEST_MOTO_ENDPOINT="http://127.0.0.1:$port"
    export CREDWIZ_TEST_AWS_CLI="$MOTO_VENV/bin/aws"
    export AWS_EC2_METADATA_DISABLED=true

    # The three unauthenticated calls (INITIAL_NO_AUTH_ACTION_COUNT=3), in this order.
    local out
    if ! out="$(_moto_aws bootstrap bootstrap iam create-user --user-name "$MOTO_ADMIN_USER" 2>&1)"; then
        printf '%s\n' "$out" >&2
        moto_stop
        _moto_die "bootstrap: iam create-user failed"
        return 1
    fi
    if ! out="$(_moto_aws bootstrap bootstrap iam attach-user-policy --user-name "$MOTO_ADMIN_USER" \
        --policy-arn arn:aws:iam::aws:policy/AdministratorAccess 2>&1)"; then
        printf '%s\n' "$out" >&2
        moto_stop
        _moto_die "bootstrap: iam attach-user-policy AdministratorAccess failed (managed policies not loaded?)"
        return 1
    fi
    local key_json key_id secret
    if ! key_json="$(_moto_aws bootstrap bootstrap iam create-access-key --user-name "$MOTO_ADMIN_USER" 2>/dev/null)"; then
        moto_stop
        _moto_die "bootstrap: iam create-access-key failed"
        return 1
    fi
    # Two lines: key id, secret. Parsed by Python; neither is echoed.
    local parsed
    parsed="$(printf '%s' "$key_json" | "$MOTO_VENV/bin/python" -c 'import json, sys
key = json.load(sys.stdin)["AccessKey"]
print(key["AccessKeyId"])
print(key["SecretAccessKey"])')" || { moto_stop; _moto_die "bootstrap: could not parse create-access-key output"; return 1; }
    key_id="${parsed%%$'\n'*}"
    secret="${parsed#*$'\n'}"
    unset key_json parsed
    [[ -n "$key_id" && -n "$secret" && "$key_id" != "$secret" ]] ||
        { moto_stop; _moto_die "bootstrap: empty access key in create-access-key output"; return 1; }
    export CREDWIZ_TEST_ADMIN_ACCESS_KEY_ID="$key_id"
    export CREDWIZ_TEST_ADMIN_SECRET_ACCESS_KEY="$secret"
    unset secret

    # Sanity check with enforcement now on: the admin key must be the admin user.
    local arn
    if ! arn="$(_moto_aws "$CREDWIZ_TEST_ADMIN_ACCESS_KEY_ID" "$CREDWIZ_TEST_ADMIN_SECRET_ACCESS_KEY" \
        sts get-caller-identity --query Arn --output text 2>&1)" || [[ "$arn" != *":user/$MOTO_ADMIN_USER" ]]; then
        printf '%s\n' "$arn" >&2
        moto_stop
        _moto_die "bootstrap: sts get-caller-identity with the admin key did not return user/$MOTO_ADMIN_USER"
        return 1
    fi
    _moto_say "ready at $CREDWIZ_TEST_MOTO_ENDPOINT (pid $MOTO_PID, admin $arn, key $CREDWIZ_TEST_ADMIN_ACCESS_KEY_ID, log ${MOTO_LOG#"$MOTO_REPO_ROOT/"})"
}

# Stop the server started by moto_start in this shell (never another run's server).
moto_stop() {
    local pid="$MOTO_PID"
    [[ -n "$pid" ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        local i
        for i in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
        _moto_say "stopped (pid $pid)"
    fi
    MOTO_PID=''
    return 0
}

# Shell code that exports the standalone server's variables; the secret is read from a
# 0600 file when the code runs, so it is never printed.
_moto_print_env() {
    [[ -f "$MOTO_STATE_DIR/env" ]] || { _moto_die "no running server: run '$0 start' first"; return 1; }
    local pid
    pid="$(cat "$MOTO_STATE_DIR/pid" 2>/dev/null || true)"
    if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
        _moto_die "the server from '$0 start' is not running any more: run '$0 start' again"
        return 1
    fi
    cat "$MOTO_STATE_DIR/env"
}

_moto_standalone() {
    set -euo pipefail
    case "${1:-}" in
    start)
        if [[ -f "$MOTO_STATE_DIR/pid" ]] && kill -0 "$(cat "$MOTO_STATE_DIR/pid")" 2>/dev/null; then
            _moto_die "already running (pid $(cat "$MOTO_STATE_DIR/pid")): '$0 stop' first"
            return 1
        fi
        rm -rf "$MOTO_STATE_DIR"
        moto_ensure_venv
        moto_start
        mkdir -p "$MOTO_STATE_DIR"
        chmod 700 "$MOTO_STATE_DIR"
        printf '%s\n' "$MOTO_PID" >"$MOTO_STATE_DIR/pid"
        (umask 077 && printf '%s' "$CREDWIZ_TEST_ADMIN_SECRET_ACCESS_KEY" >"$MOTO_STATE_DIR/admin-secret")
        {
            printf 'export CREDWIZ_TEST_MOTO_ENDPOINT=%q\n' "$CREDWIZ_TEST_MOTO_ENDPOINT"
            printf 'export CREDWIZ_TEST_ADMIN_ACCESS_KEY_ID=%q\n' "$CREDWIZ_TEST_ADMIN_ACCESS_KEY_ID"
            printf 'export CREDWIZ_TEST_ADMIN_SECRET_ACCESS_KEY="$(cat %q)"\n' "$MOTO_STATE_DIR/admin-secret"
            printf 'export CREDWIZ_TEST_AWS_CLI=%q\n' "$CREDWIZ_TEST_AWS_CLI"
            printf 'export AWS_EC2_METADATA_DISABLED=true\n'
        } >"$MOTO_STATE_DIR/env"
        _moto_say "running in the background; load its variables with: eval \"\$($0 env)\""
        ;;
    stop)
        MOTO_PID="$(cat "$MOTO_STATE_DIR/pid" 2>/dev/null || true)"
        # Only a pid that is still our moto_server (not a reused pid).
        if [[ -n "$MOTO_PID" ]] && ! tr '\0' ' ' <"/proc/$MOTO_PID/cmdline" 2>/dev/null | grep -q moto_server; then
            MOTO_PID=''
        fi
        moto_stop
        rm -rf "$MOTO_STATE_DIR"
        ;;
    env)
        _moto_print_env
        ;;
    *)
        printf 'usage: %s start|stop|env\n' "$0" >&2
        return 2
        ;;
    esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    _moto_standalone "$@"
    exit $?
fi
