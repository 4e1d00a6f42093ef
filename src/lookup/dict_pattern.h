/* SPDX-License-Identifier: MIT */
/* dict_pattern.h - placeholder: see src/lookup/dict_impl.h */
