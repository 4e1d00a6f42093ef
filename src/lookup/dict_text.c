/* SPDX-License-Identifier: MIT */
/* dict_text.c - placeholder: see src/lookup/dict_impl.h */
