/* SPDX-License-Identifier: MIT */
/* dict_regexp.c - placeholder: see src/lookup/dict_impl.h */
