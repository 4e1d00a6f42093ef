/* SPDX-License-Identifier: MIT */
#ifndef VD_SRC_ADDRESS_H
#define VD_SRC_ADDRESS_H
#endif
