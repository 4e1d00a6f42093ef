#!/bin/sh
# SPDX-License-Identifier: MIT
# postfix-e2e-lmtp-listen: t/postfix-e2e.sh with Postfix's LMTP client
# and vdeliver's standalone LMTP listener, run as root, as the shipped
# contrib/postfix/master.cf and main.cf describe it.
VD_E2E_MODE=lmtp-listen
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/t/postfix-e2e.sh"
