/* SPDX-License-Identifier: MIT */
/* maps.c - placeholder: see src/lookup/dict_impl.h */
