#!/usr/bin/env bash
# Times public sign-up with a new and with a taken address (100 each,
# alternated, through the whole app in process) and, for comparison, the
# work the new path did when it made the meter at sign-up. Needs the test
# services: eval "$(bash scripts/services.sh up test)".
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
uptime
SIGNUP_TIMING=1 go test ./web -run '^TestMeasureSignUpTiming$' -count=1 -v 2>&1 | grep -E 'signup-timing|^(ok|FAIL|---)'
