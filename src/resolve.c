/* SPDX-License-Identifier: MIT */
#include "resolve.h"
