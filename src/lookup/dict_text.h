/* SPDX-License-Identifier: MIT */
/* dict_text.h - placeholder: see src/lookup/dict_impl.h */
