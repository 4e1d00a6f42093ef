/* SPDX-License-Identifier: MIT */
/* config - placeholder until the config module lands */
#include "config.h"
