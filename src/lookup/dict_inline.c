/* SPDX-License-Identifier: MIT */
/* dict_inline.c - placeholder: see src/lookup/dict_impl.h */
