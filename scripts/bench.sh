#!/usr/bin/env bash
# credwiz's performance measurement: the release binary against the AWS CLI and botocore on a
# generated pair of files with 10,000 profiles each, then the library benchmarks (criterion).
#
#   scripts/bench.sh           # everything (about 5 minutes once built)
#   scripts/bench.sh --quick   # skip the criterion benchmarks
#   scripts/bench.sh --home    # only Home (the TUI); summary in target/bench-summary-home.md
#
# Needs: a Rust toolchain; on Debian/Ubuntu as root (or with sudo) it installs what else is
# missing: hyperfine, GNU time and tmux with apt-get, Python 3 with venv, and the AWS CLI into
# .venv (shared with scripts/moto-server.sh, from PyPI; --home needs neither hyperfine nor the
# AWS CLI). Nothing is measured against real files or a network: every AWS_* variable is
# dropped, HOME is a fresh directory, the files are generated copies in a temporary folder, and
# the measurements run in a network namespace of their own when `unshare --net` is allowed.
#
# Output: a summary table on stdout and in target/bench-summary.md; hyperfine's JSON exports in
# target/bench/; criterion's reports in target/criterion/.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

PROFILES=10000
# The profile that `show` and `set` work on: one in the middle of both files.
MIDDLE=p5000
NEW_REGION=eu-north-1
CREDWIZ_RUNS=20
AWS_MIN_RUNS=5
WARMUP=3
MEMORY_RUNS=3

QUICK=''
HOME_ONLY=''
for argument in "$@"; do
    case "$argument" in
    --quick) QUICK=1 ;;
    --home) HOME_ONLY=1 ;;
    -h | --help)
        sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        printf 'usage: %s [--quick] [--home]\n' "$0" >&2
        exit 2
        ;;
    esac
done

section() { printf '\n==> %s\n' "$*"; }
say() { printf '%s\n' "$*"; }
fail() {
    printf '\nbench.sh: FAILED: %s\n' "$*" >&2
    exit 1
}

TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$REPO_ROOT/$TARGET_DIR" ;; esac
RESULTS="$TARGET_DIR/bench"
SUMMARY="$TARGET_DIR/bench-summary.md"
CREDWIZ="$TARGET_DIR/release/credwiz"

WORK=''
cleanup() {
    local rc=$?
    [[ -n "$WORK" ]] && rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
section "Tools"

SUDO=()
if [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
fi
APT_UPDATED=''
apt_install() {
    command -v apt-get >/dev/null 2>&1 ||
        fail "$* missing and apt-get is not available: install $* yourself"
    if [[ -z "$APT_UPDATED" ]]; then
        say "apt-get update"
        "${SUDO[@]}" apt-get update -qq || fail "apt-get update failed"
        APT_UPDATED=1
    fi
    say "apt-get install -y $*"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" ||
        fail "apt-get install $* failed"
}

command -v cargo >/dev/null 2>&1 || fail "cargo not found on PATH: install a Rust toolchain"
[[ -n "$HOME_ONLY" ]] || command -v hyperfine >/dev/null 2>&1 || apt_install hyperfine
[[ -x /usr/bin/time ]] || apt_install time
command -v tmux >/dev/null 2>&1 || apt_install tmux
# `-N` (no intermediate shell) needs hyperfine 1.13; older ones measure through a shell and
# subtract its start-up time.
HYPERFINE_SHELL=()
if hyperfine -N --runs 1 --style none true >/dev/null 2>&1; then
    HYPERFINE_SHELL=(-N)
fi
PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    apt_install python3 python3-venv
fi
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    apt_install python3-venv
fi
export PYTHON

# ---------------------------------------------------------------------------------------------
if [[ -n "$HOME_ONLY" ]]; then
    # --home: no AWS tools; the fixture generator and the summary need only Python.
    VPY="$PYTHON"
else
    section "Python venv (AWS CLI, botocore)"

    if [[ -f "$REPO_ROOT/scripts/moto-server.sh" ]]; then
        # shellcheck source=scripts/moto-server.sh
        source "$REPO_ROOT/scripts/moto-server.sh"
    fi
    if declare -F moto_ensure_venv >/dev/null; then
        moto_ensure_venv || fail "could not set up .venv (scripts/moto-server.sh)"
        VENV="$MOTO_VENV"
    else
        VENV="$REPO_ROOT/.venv"
        if [[ ! -x "$VENV/bin/aws" ]]; then
            say "creating $VENV with awscli"
            "$PYTHON" -m venv "$VENV" || fail "'$PYTHON -m venv' failed"
            PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 "$VENV/bin/python" -m pip install --quiet awscli ||
                fail "pip install awscli failed"
        fi
    fi
    AWS="$VENV/bin/aws"
    VPY="$VENV/bin/python"
    [[ -x "$AWS" && -x "$VPY" ]] || fail "$VENV has no bin/aws or bin/python"
    "$VPY" -c 'import botocore.session' 2>/dev/null || fail "botocore is not importable from $VENV"
fi

# ---------------------------------------------------------------------------------------------
section "cargo build --release"
t=$SECONDS
cargo build --release || fail "cargo build --release failed"
[[ -x "$CREDWIZ" ]] || fail "$CREDWIZ was not built"
say "ok ($((SECONDS - t))s)"

# From here on nothing may read the real ~/.aws or reach AWS: drop every AWS_* variable and
# give the measured commands a fresh HOME. Cargo and rustup keep their own homes.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
while IFS= read -r name; do
    unset "$name"
done < <(compgen -e | grep -E '^(AWS_|XDG_(CONFIG|DATA|STATE|CACHE)_HOME$)' || true)
export AWS_EC2_METADATA_DISABLED=true
export NO_COLOR=1

WORK="$(mktemp -d "${TMPDIR:-/tmp}/credwiz-bench.XXXXXX")"
mkdir -p "$WORK/home" "$RESULTS"
ISOLATE=(env "HOME=$WORK/home")
NETWORK="isolated (unshare --net)"
if unshare --net true >/dev/null 2>&1; then
    ISOLATE=(unshare --net -- "${ISOLATE[@]}")
else
    NETWORK="not isolated (unshare --net is not allowed here); the commands make no network calls"
fi
# Runs a measured command: fresh HOME, no network where possible.
isolated() { "${ISOLATE[@]}" "$@"; }

# ---------------------------------------------------------------------------------------------
section "Fixture: $PROFILES profiles in each file"

# The same files as benches/profiles.rs and benches/home.rs generate (`fixture` in
# benches/fixture/mod.rs, step for step).
FIXTURE="$WORK/fixture"
"$VPY" - "$FIXTURE" "$PROFILES" <<'PY'
import os
import sys

folder, profiles = sys.argv[1], int(sys.argv[2])
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1",
           "ap-southeast-2", "ap-northeast-1", "sa-east-1"]
OUTPUTS = ["json", "text", "table"]
KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
MASK = (1 << 64) - 1


class SplitMix:
    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def string(self, alphabet, length):
        return "".join(alphabet[self.next() % len(alphabet)] for _ in range(length))


config = [
    "# ~/.aws/config: credwiz benchmark fixture (generated)\n",
    "[default]\nregion = us-east-1\noutput = json\n\n",
    "[sso-session corp]\n",
    "sso_start_url = https://corp.awsapps.com/start\n",
    "sso_region = us-east-1\n",
    "sso_registration_scopes = sso:account:access\n\n",
    "[services local-endpoints]\n",
    "s3 =\n  endpoint_url = http://127.0.0.1:9000\n",
    "sts =\n  endpoint_url = http://127.0.0.1:9001\n\n",
]
credentials = ["# ~/.aws/credentials: credwiz benchmark fixture (generated)\n"]
for i in range(profiles):
    if i % 5 == 0:
        config.append(f"# team {i // 5}: profiles p{i} to p{i + 4}\n")
    config.append(f"[profile p{i}]\n")
    config.append(f"region = {REGIONS[i % len(REGIONS)]}\n")
    config.append(f"output = {OUTPUTS[i % len(OUTPUTS)]}\n")
    if i % 10 == 3:
        config.append("s3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n")
    if i % 50 == 7:
        config.append("sso_session = corp\n")
        config.append(f"sso_account_id = {100_000_000_000 + i:012d}\n")
        config.append("sso_role_name = ReadOnly\n")
    if i % 25 == 11:
        config.append("services = local-endpoints\n")
    config.append("\n")

    random = SplitMix(i)
    if i % 7 == 0:
        credentials.append(f"; rotated {i % 90:02d} days ago\n")
    credentials.append(f"[p{i}]\n")
    credentials.append(f"aws_access_key_id = AKIA{random.string(KEY_ID_ALPHABET, 16)}\n")
    credentials.append(f"aws_secret_access_key = {random.string(SECRET_ALPHABET, 40)}\n")
    credentials.append("\n")

os.makedirs(folder, exist_ok=True)
for name, parts in (("config", config), ("credentials", credentials)):
    path = os.path.join(folder, name)
    with open(path, "w", newline="\n") as out:
        out.write("".join(parts))
    os.chmod(path, 0o600)
PY
chmod 700 "$FIXTURE"
CONFIG_BYTES=$(stat -c %s "$FIXTURE/config")
CREDENTIALS_BYTES=$(stat -c %s "$FIXTURE/credentials")
say "config $CONFIG_BYTES bytes, credentials $CREDENTIALS_BYTES bytes (in $WORK)"

# One command line as hyperfine (and sh) reads it.
cmdline() {
    local out='' argument
    for argument in "$@"; do
        out+="$(printf '%q' "$argument") "
    done
    printf '%s' "${out% }"
}

# ---------------------------------------------------------------------------------------------
# Home (the TUI) at $PROFILES profiles, issue 5's targets: the first frame and one filter key
# press are timed by criterion (benches/home.rs: `cargo bench --bench home`); peak memory is
# measured here, on a real run of the release binary with no arguments in a 120×40 tmux
# pseudo-terminal under /usr/bin/time -v. Each run waits for the first frame, types the filter
# `/p5`, waits for the filtered list, keeps it (Enter) and quits (`q`).
HOME_TIMEOUT=20
HOME_RSS=''
HOME_CRITERION=''
export TMUX_TMPDIR="$WORK"
home_tmux() { env -u TMUX tmux -L credwiz-home -f /dev/null "$@"; }
# Waits until Home's screen shows $1 (fixed text), or fails saying it never showed $2.
home_wait_for() {
    local deadline=$((SECONDS + HOME_TIMEOUT))
    until home_tmux capture-pane -p -t home 2>/dev/null | grep -qF -- "$1"; do
        if ((SECONDS >= deadline)); then
            home_tmux capture-pane -p -t home >&2 2>/dev/null || true
            home_tmux kill-server 2>/dev/null || true
            fail "Home did not show $2 within ${HOME_TIMEOUT}s"
        fi
        sleep 0.05
    done
}
# One run of Home; sets HOME_KIB to its maximum resident set size in KiB.
home_run() {
    local report="$WORK/home-time.txt" command deadline
    rm -f "$report"
    command=$(cmdline "${ISOLATE[@]}" /usr/bin/time -v -o "$report" env \
        "AWS_CONFIG_FILE=$FIXTURE/config" "AWS_SHARED_CREDENTIALS_FILE=$FIXTURE/credentials" "$CREDWIZ")
    home_tmux new-session -d -s home -x 120 -y 40 "$command" || fail "tmux could not start Home"
    home_wait_for " $((PROFILES + 1)) profiles" "its first frame ($((PROFILES + 1)) profiles)"
    home_tmux send-keys -t home / p 5
    home_wait_for " of $((PROFILES + 1)) profiles" "the filtered list after /p5"
    home_wait_for "/p5" "the filter /p5"
    home_tmux send-keys -t home Enter q
    deadline=$((SECONDS + HOME_TIMEOUT))
    while home_tmux has-session -t home 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            home_tmux kill-server 2>/dev/null || true
            fail "Home did not quit on Enter, q within ${HOME_TIMEOUT}s"
        fi
        sleep 0.05
    done
    [[ -s "$report" ]] || fail "/usr/bin/time wrote no report for Home"
    grep -q 'Exit status: 0$' "$report" || fail "Home did not exit cleanly: $(cat "$report")"
    HOME_KIB=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$report")
}
home_measure() {
    local i
    section "Home: peak memory (real run in tmux, /usr/bin/time -v, highest of $MEMORY_RUNS runs)"
    HOME_RSS=0
    for ((i = 0; i < MEMORY_RUNS; i++)); do
        home_run
        say "run $((i + 1)): $HOME_KIB KiB"
        if ((HOME_KIB > HOME_RSS)); then HOME_RSS=$HOME_KIB; fi
    done
    if [[ -n "$QUICK" ]]; then
        say "--quick: skipping cargo bench --bench home"
        return
    fi
    section "cargo bench --bench home (criterion)"
    rm -rf "$TARGET_DIR/criterion/home"
    cargo bench --bench home || fail "cargo bench --bench home failed"
    HOME_CRITERION="$TARGET_DIR/criterion/home"
}
# Prints Home's part of the summary (Markdown).
home_summary() {
    "$VPY" - "$HOME_RSS" "$HOME_CRITERION" "$PROFILES" "$MEMORY_RUNS" <<'PY'
import json
import os
import sys

rss_kib, criterion, profiles, memory_runs = sys.argv[1:]
MAX_FIRST_FRAME_MS = 100
MAX_KEYPRESS_MS = 5
MAX_RSS_MB = 40


def median_ms(name):
    if not criterion:
        return None
    with open(os.path.join(criterion, name, "new", "estimates.json")) as f:
        return json.load(f)["median"]["point_estimate"] / 1e6


rows = [
    ("first frame", "first frame: read both files, build the model, render 120×40 (criterion median)",
     median_ms("first_frame"), "ms", MAX_FIRST_FRAME_MS),
    ("filter key press `5`", "filter key press: `5` after `p`, update + render (criterion median)",
     median_ms("filter_keypress"), "ms", MAX_KEYPRESS_MS),
    ("first filter key `p`", "filter key press: first key `p`, update + render (criterion median)",
     median_ms("filter_first_key"), "ms", MAX_KEYPRESS_MS),
    ("peak RSS", f"peak RSS: real run in tmux, `/p5` Enter `q` (highest of {memory_runs})",
     int(rss_kib) / 1024, "MB", MAX_RSS_MB),
]
lines = [
    "",
    f"## Home (TUI), {int(profiles):,} profiles",
    "",
    "| measurement | value | target |",
    "|---|--:|--:|",
]
checks = []
for name, label, value, unit, limit in rows:
    if value is None:
        lines.append(f"| {label} | not measured (--quick) | ≤ {limit} {unit} |")
        continue
    shown = f"{value:.2f}" if unit == "ms" else f"{value:.1f}"
    lines.append(f"| {label} | {shown} {unit} | ≤ {limit} {unit} |")
    checks.append((f"{name}: {shown} {unit} ≤ {limit} {unit}", value <= limit))
lines += ["", "Home targets:", ""]
lines += [f"- {'met' if ok else 'MISSED'}: {text}" for text, ok in checks]
print("\n".join(lines))
PY
}
if [[ -n "$HOME_ONLY" ]]; then
    home_measure
    section "Summary"
    # Its own file: the full run's summary stays as it was.
    SUMMARY="$TARGET_DIR/bench-summary-home.md"
    home_summary | tee "$SUMMARY"
    say ""
    say "written to ${SUMMARY#"$REPO_ROOT/"}; criterion's reports in target/criterion/home/"
    exit 0
fi

# Pristine copies for the `set` measurements, one folder per tool; `--prepare` restores both.
for tool in credwiz aws; do
    mkdir -p "$WORK/pristine/$tool" "$WORK/edit/$tool"
    cp -a "$FIXTURE/config" "$FIXTURE/credentials" "$WORK/pristine/$tool/"
done
chmod -R go-rwx "$WORK/pristine" "$WORK/edit"
RESTORE=(cp -a "$WORK/pristine/." "$WORK/edit/")

CW_READ=("$CREDWIZ" --config-file "$FIXTURE/config" --credentials-file "$FIXTURE/credentials")
CW_EDIT=("$CREDWIZ" --config-file "$WORK/edit/credwiz/config" --credentials-file "$WORK/edit/credwiz/credentials")
AWS_READ=(env "AWS_CONFIG_FILE=$FIXTURE/config" "AWS_SHARED_CREDENTIALS_FILE=$FIXTURE/credentials")
AWS_EDIT=(env "AWS_CONFIG_FILE=$WORK/edit/aws/config" "AWS_SHARED_CREDENTIALS_FILE=$WORK/edit/aws/credentials")
BOTOCORE_LIST='import botocore.session; print(len(botocore.session.Session().available_profiles))'

# ---------------------------------------------------------------------------------------------
section "Sanity checks (each command does the full job)"

count=$(isolated "${CW_READ[@]}" list -o json | "$VPY" -c 'import json, sys; print(len(json.load(sys.stdin)))')
[[ "$count" == "$((PROFILES + 1))" ]] || fail "credwiz list -o json printed $count profiles, not $((PROFILES + 1))"
count=$(isolated "${AWS_READ[@]}" "$VPY" -c "$BOTOCORE_LIST")
[[ "$count" == "$((PROFILES + 1))" ]] || fail "botocore lists $count profiles, not $((PROFILES + 1))"
isolated "${CW_READ[@]}" show "$MIDDLE" | grep -q us-east-1 || fail "credwiz show $MIDDLE does not show its region"
region=$(isolated "${AWS_READ[@]}" "$AWS" configure get region --profile "$MIDDLE")
[[ "$region" == us-east-1 ]] || fail "aws configure get region --profile $MIDDLE printed '$region'"
"${RESTORE[@]}"
isolated "${CW_EDIT[@]}" set "$MIDDLE" "region=$NEW_REGION" 2>/dev/null
isolated "${AWS_EDIT[@]}" "$AWS" configure set region "$NEW_REGION" --profile "$MIDDLE"
for tool in credwiz aws; do
    region=$(isolated env "AWS_CONFIG_FILE=$WORK/edit/$tool/config" \
        "AWS_SHARED_CREDENTIALS_FILE=$WORK/edit/$tool/credentials" \
        "$AWS" configure get region --profile "$MIDDLE")
    [[ "$region" == "$NEW_REGION" ]] || fail "after the $tool set, $MIDDLE's region is '$region'"
done
say "ok: $((PROFILES + 1)) profiles; show and get agree; both set commands change $MIDDLE"

# ---------------------------------------------------------------------------------------------
# hyperfine runs each command for about 3 s, clamped to [--min-runs, --max-runs]: credwiz
# takes milliseconds and gets $CREDWIZ_RUNS runs, the AWS tools take far longer and get at
# least $AWS_MIN_RUNS. Both commands of a comparison are measured in the same hyperfine run.
compare() {
    local name="$1"
    shift
    section "hyperfine: $name"
    isolated hyperfine "${HYPERFINE_SHELL[@]}" --warmup "$WARMUP" --min-runs "$AWS_MIN_RUNS" --max-runs "$CREDWIZ_RUNS" \
        --export-json "$RESULTS/$name.json" "$@" || fail "hyperfine ($name) failed"
}

# Other work on the machine skews every number: record how busy it was.
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
say "load average: $LOAD_BEFORE (1, 5, 15 min)"
compare list \
    -n "credwiz list -o json" "$(cmdline "${CW_READ[@]}" list -o json)" \
    -n "botocore available_profiles" "$(cmdline "${AWS_READ[@]}" "$VPY" -c "$BOTOCORE_LIST")"
compare show \
    -n "credwiz show $MIDDLE" "$(cmdline "${CW_READ[@]}" show "$MIDDLE")" \
    -n "aws configure get region --profile $MIDDLE" \
    "$(cmdline "${AWS_READ[@]}" "$AWS" configure get region --profile "$MIDDLE")"
compare set --prepare "$(cmdline "${RESTORE[@]}")" \
    -n "credwiz set $MIDDLE region=$NEW_REGION" "$(cmdline "${CW_EDIT[@]}" set "$MIDDLE" "region=$NEW_REGION")" \
    -n "aws configure set region $NEW_REGION --profile $MIDDLE" \
    "$(cmdline "${AWS_EDIT[@]}" "$AWS" configure set region "$NEW_REGION" --profile "$MIDDLE")"

# ---------------------------------------------------------------------------------------------
section "Peak memory (/usr/bin/time -v, highest of $MEMORY_RUNS runs)"

# Prints the maximum resident set size of a command in KiB.
max_rss_kib() {
    local report="$WORK/time.txt"
    isolated /usr/bin/time -v -o "$report" "$@" >/dev/null 2>&1 || fail "$* failed under /usr/bin/time"
    awk -F': *' '/Maximum resident set size/ { print $2 }' "$report"
}
peak_rss() {
    local kind="$1" peak=0 kib i
    shift
    for ((i = 0; i < MEMORY_RUNS; i++)); do
        if [[ "$kind" == edit ]]; then "${RESTORE[@]}"; fi
        kib=$(max_rss_kib "$@")
        if ((kib > peak)); then peak=$kib; fi
    done
    printf '%s\n' "$peak"
}
RSS_LIST=$(peak_rss read "${CW_READ[@]}" list -o json)
RSS_SHOW=$(peak_rss read "${CW_READ[@]}" show "$MIDDLE")
RSS_SET=$(peak_rss edit "${CW_EDIT[@]}" set "$MIDDLE" "region=$NEW_REGION")
say "list $RSS_LIST KiB, show $RSS_SHOW KiB, set $RSS_SET KiB"

home_measure

# ---------------------------------------------------------------------------------------------
section "Summary"

BENCH_FIXTURE="$PROFILES profiles in each file (config $CONFIG_BYTES bytes, credentials $CREDENTIALS_BYTES bytes); \`show\` and \`set\` use $MIDDLE"
BENCH_MACHINE="$(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true); load average before the measurements $LOAD_BEFORE; temporary files on $(df -PT "$WORK" | awk 'NR == 2 { print $2 }')"
revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then revision="$revision with uncommitted changes"; fi
BENCH_VERSIONS="credwiz $revision (release build); $("$AWS" --version 2>&1 | head -n 1); $(hyperfine --version)"
BENCH_RUNS="$WARMUP warm-up runs each, then about 3 s of runs, at least $AWS_MIN_RUNS and at most $CREDWIZ_RUNS"
export BENCH_FIXTURE BENCH_MACHINE BENCH_VERSIONS BENCH_RUNS NETWORK
"$VPY" - "$RESULTS" "$SUMMARY" "$RSS_LIST" "$RSS_SHOW" "$RSS_SET" <<'PY'
import json
import os
import sys

results, summary, rss_list, rss_show, rss_set = sys.argv[1:]
rss = {"list": int(rss_list), "show": int(rss_show), "set": int(rss_set)}
# Targets: AWS/credwiz ratio at least "ratio"; credwiz median at most "ms"; peak RSS at most.
targets = {
    "list": {"ratio": 20, "ms": 20},
    "show": {"ratio": 40},
    "set": {"ratio": 30, "ms": 30},
}
MAX_RSS_MB = 30

lines = [
    "# credwiz benchmark summary",
    "",
    f"- fixture: {os.environ['BENCH_FIXTURE']}",
    f"- machine: {os.environ['BENCH_MACHINE']}",
    f"- versions: {os.environ['BENCH_VERSIONS']}",
    f"- network: {os.environ['NETWORK']}",
    f"- runs: {os.environ['BENCH_RUNS']} ({{runs}})",
    "",
    "| operation | credwiz median (ms) | AWS median (ms) | ratio (AWS/credwiz) | credwiz peak RSS (MB) |",
    "|---|--:|--:|--:|--:|",
]
checks = []
runs = []
for name, aws_label in (("list", "botocore available_profiles"),
                        ("show", "aws configure get region"),
                        ("set", "aws configure set region")):
    with open(os.path.join(results, name + ".json")) as f:
        credwiz_result, aws_result = json.load(f)["results"]
    credwiz_ms = credwiz_result["median"] * 1000
    aws_ms = aws_result["median"] * 1000
    ratio = aws_ms / credwiz_ms
    runs.append(f"{name}: credwiz {len(credwiz_result['times'])}, AWS {len(aws_result['times'])}")
    mb = rss[name] / 1024
    label = f"{name}: credwiz {name} vs {aws_label}"
    lines.append(f"| {label} | {credwiz_ms:.1f} | {aws_ms:.1f} | {ratio:.1f}× | {mb:.1f} |")
    target = targets[name]
    checks.append((f"{name}: ratio {ratio:.1f}× ≥ {target['ratio']}×", ratio >= target["ratio"]))
    if "ms" in target:
        checks.append((f"{name}: credwiz median {credwiz_ms:.1f} ms ≤ {target['ms']} ms",
                       credwiz_ms <= target["ms"]))
    checks.append((f"{name}: peak RSS {mb:.1f} MB ≤ {MAX_RSS_MB} MB", mb <= MAX_RSS_MB))
lines = [line.replace("{runs}", "; ".join(runs)) for line in lines]
lines += ["", "Targets:", ""]
lines += [f"- {'met' if ok else 'MISSED'}: {text}" for text, ok in checks]
text = "\n".join(lines) + "\n"
with open(summary, "w") as f:
    f.write(text)
print(text, end="")
PY
home_summary | tee -a "$SUMMARY"
say ""
say "written to ${SUMMARY#"$REPO_ROOT/"}; hyperfine exports in ${RESULTS#"$REPO_ROOT/"}/"

# ---------------------------------------------------------------------------------------------
if [[ -n "$QUICK" ]]; then
    say ""
    say "--quick: skipping cargo bench --bench profiles"
    exit 0
fi
section "cargo bench --bench profiles (criterion)"
CREDWIZ_BENCH_WRITE_FIXTURE="$WORK/criterion-fixture" cargo bench --bench profiles ||
    fail "cargo bench --bench profiles failed"
for file in config credentials; do
    cmp -s "$FIXTURE/$file" "$WORK/criterion-fixture/$file" ||
        fail "benches/profiles.rs and this script generate different $file fixtures: keep them in step"
done
say "ok: the criterion bench and this script measured byte-identical fixtures"
