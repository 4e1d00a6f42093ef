/* SPDX-License-Identifier: MIT */
/* dict_texthash.c - placeholder: see src/lookup/dict_impl.h */
