#!/usr/bin/env bash
# Installs the Debian packages the test tiers need and checks the tools infra/ uses.
# Java 17+ and Maven fetch and run Kafka and the schema registry; PostgreSQL backs the SQL tests.
set -euo pipefail

need_apt=()
command -v java >/dev/null || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_apt+=(maven)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# A real IMAP server for the mailbox source's IMAP test.
command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ] || need_apt+=(dovecot-imapd)
# The browser tier drives Debian's Chromium through Playwright (its own browser download is unreachable).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${need_apt[*]} (run as root or install them: apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
  echo "installing ${need_apt[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # The Debian package starts a cluster on 5432 we do not use; the tests run their own.
  for service in postgresql dovecot; do
    if command -v service >/dev/null && service "$service" status >/dev/null 2>&1; then
      service "$service" stop >/dev/null 2>&1 || true
    fi
  done
fi
echo "system dependencies present: java $(java -version 2>&1 | head -1 | cut -d'"' -f2), $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g'), postgresql $(ls -d /usr/lib/postgresql/*/ | head -1 | xargs basename)"
