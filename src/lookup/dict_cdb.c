/* SPDX-License-Identifier: MIT */
/* dict_cdb.c - placeholder: see src/lookup/dict_impl.h */
