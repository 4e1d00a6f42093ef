/* SPDX-License-Identifier: MIT */
#include "agent.h"
