#!/usr/bin/env bash
# Try credwiz without an AWS account: starts the moto IAM/STS emulator from .venv, makes a
# throwaway HOME holding an `admin` profile for it, and opens `credwiz setup` against it.
#
#   scripts/sandbox.sh                       # the wizard screens
#   scripts/sandbox.sh --preset mturk --yes  # any `credwiz setup` flags
#
# Everything happens on 127.0.0.1 and in a temporary folder that is removed afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/moto-server.sh
source scripts/moto-server.sh

sandbox_home="$(mktemp -d -t credwiz-sandbox.XXXXXX)"
cleanup() {
    moto_stop || true
    rm -rf "$sandbox_home"
}
trap cleanup EXIT

moto_ensure_venv
moto_start
cargo build --release --quiet

mkdir -m 700 "$sandbox_home/.aws"
umask 077
cat > "$sandbox_home/.aws/credentials" <<CREDENTIALS
[admin]
aws_access_key_id = $CREDWIZ_TEST_ADMIN_ACCESS_KEY_ID
aws_secret_access_key = $CREDWIZ_TEST_ADMIN_SECRET_ACCESS_KEY
CREDENTIALS
printf '[profile admin]\nregion = us-east-1\n' > "$sandbox_home/.aws/config"

echo "Sandbox: HOME=$sandbox_home, IAM and STS at $CREDWIZ_TEST_MOTO_ENDPOINT (moto)." >&2
HOME="$sandbox_home" CREDWIZ_STATE_DIR="$sandbox_home/.credwiz-state" \
    AWS_CONFIG_FILE= AWS_SHARED_CREDENTIALS_FILE= AWS_PROFILE= \
    ./target/release/credwiz --endpoint-url "$CREDWIZ_TEST_MOTO_ENDPOINT" \
    setup --source-profile admin "$@"
