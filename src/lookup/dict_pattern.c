/* SPDX-License-Identifier: MIT */
/* dict_pattern.c - placeholder: see src/lookup/dict_impl.h */
