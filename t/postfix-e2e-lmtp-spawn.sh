#!/bin/sh
# SPDX-License-Identifier: MIT
# postfix-e2e-lmtp-spawn: t/postfix-e2e.sh with Postfix's LMTP client
# and "vdeliver --lmtp" under spawn(8), as the shipped
# contrib/postfix/master.cf and main.cf set it up.
VD_E2E_MODE=lmtp-spawn
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/t/postfix-e2e.sh"
