/* SPDX-License-Identifier: MIT */
/* dict_open.c - placeholder: see src/lookup/dict_impl.h */
