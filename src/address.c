/* SPDX-License-Identifier: MIT */
#include "address.h"
