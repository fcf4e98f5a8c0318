#!/usr/bin/env bash
# Runs the JavaScript test suites as part of `./mvnw verify` (integration-test phase of the app
# module, after app/target/flowstate.jar is built): the client SDK's unit tests (client-js/) and the
# web app's browser tests (web-tests/, Playwright on /usr/bin/chromium). Without Node/npm each suite
# is SKIPPED with a loud message; without chromium the browser tests report themselves skipped.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../../.." && pwd)"
banner() {
  echo "################################################################################"
  echo "# SKIPPED: $*"
  echo "################################################################################"
}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  banner "JavaScript tests (client-js SDK, web-tests browser tests): node/npm are not installed"
  exit 0
fi
for suite in client-js web-tests; do
  echo "js-tests: $suite"
  (cd "$root/$suite" && npm ci --no-audit --no-fund --loglevel=error && npm test)
done
