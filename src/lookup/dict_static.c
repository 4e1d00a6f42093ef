/* SPDX-License-Identifier: MIT */
/* dict_static.c - placeholder: see src/lookup/dict_impl.h */
