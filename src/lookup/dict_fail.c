/* SPDX-License-Identifier: MIT */
/* dict_fail.c - placeholder: see src/lookup/dict_impl.h */
