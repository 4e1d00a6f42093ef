/* SPDX-License-Identifier: MIT */
/* dict_pcre.c - placeholder: see src/lookup/dict_impl.h */
