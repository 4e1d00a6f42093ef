/* SPDX-License-Identifier: MIT */
/* dict_db.c - placeholder: see src/lookup/dict_impl.h */
