# t/fuzz/fuzz.mk: libFuzzer targets, their regression replay, make fuzz.
#
# Each target t/fuzz/fuzz_NAME.c is linked twice:
# - t/fuzz/replay_NAME (check_PROGRAMS): with t/fuzz/replay.c, by the
#   project's compiler, and run by t/fuzz-replay.sh in make check over
#   t/fuzz/corpus/NAME (the seeds) and t/fuzz/regress/NAME (findings);
# - t/fuzz/fuzz_NAME (EXTRA_PROGRAMS): with libFuzzer, only in the clang
#   build that t/fuzz/run-fuzz.sh configures in _build-fuzz (make fuzz),
#   where FUZZ_ENGINE=-fsanitize=fuzzer is given on the make command line.
FUZZ_TARGETS = address message config texthash inline regexp pcre lmtp
FUZZ_ENGINE =
FUZZ_SECONDS = 60
FUZZ_COMMON = t/fuzz/fuzz.c t/fuzz/fuzz.h
# Makefile.am does not set EXTRA_PROGRAMS; only this fragment uses it.
EXTRA_PROGRAMS = t/fuzz/fuzz_address \
	t/fuzz/fuzz_message \
	t/fuzz/fuzz_config \
	t/fuzz/fuzz_texthash \
	t/fuzz/fuzz_inline \
	t/fuzz/fuzz_regexp \
	t/fuzz/fuzz_pcre \
	t/fuzz/fuzz_lmtp
EXTRA_DIST += t/fuzz/corpus t/fuzz/regress t/fuzz/fuzz_dict.h t/fuzz/run-fuzz.sh \
	t/fuzz/README

check_PROGRAMS += t/fuzz/replay_address
t_fuzz_replay_address_SOURCES = t/fuzz/fuzz_address.c t/fuzz/replay.c $(FUZZ_COMMON)
t_fuzz_replay_address_LDADD = $(VD_LIBS)
t_fuzz_fuzz_address_SOURCES = t/fuzz/fuzz_address.c $(FUZZ_COMMON)
t_fuzz_fuzz_address_LDADD = $(VD_LIBS)
t_fuzz_fuzz_address_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)

check_PROGRAMS += t/fuzz/replay_message
t_fuzz_replay_message_SOURCES = t/fuzz/fuzz_message.c t/fuzz/replay.c $(FUZZ_COMMON)
t_fuzz_replay_message_LDADD = $(VD_LIBS)
t_fuzz_fuzz_message_SOURCES = t/fuzz/fuzz_message.c $(FUZZ_COMMON)
t_fuzz_fuzz_message_LDADD = $(VD_LIBS)
t_fuzz_fuzz_message_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)

check_PROGRAMS += t/fuzz/replay_config
t_fuzz_replay_config_SOURCES = t/fuzz/fuzz_config.c t/fuzz/replay.c $(FUZZ_COMMON)
t_fuzz_replay_config_LDADD = $(VD_LIBS)
t_fuzz_fuzz_config_SOURCES = t/fuzz/fuzz_config.c $(FUZZ_COMMON)
t_fuzz_fuzz_config_LDADD = $(VD_LIBS)
t_fuzz_fuzz_config_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)

check_PROGRAMS += t/fuzz/replay_texthash
t_fuzz_replay_texthash_SOURCES = t/fuzz/fuzz_texthash.c t/fuzz/replay.c $(FUZZ_COMMON)
t_fuzz_replay_texthash_LDADD = $(VD_LIBS)
t_fuzz_fuzz_texthash_SOURCES = t/fuzz/fuzz_texthash.c $(FUZZ_COMMON)
t_fuzz_fuzz_texthash_LDADD = $(VD_LIBS)
t_fuzz_fuzz_texthash_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)

check_PROGRAMS += t/fuzz/replay_inline
t_fuzz_replay_inline_SOURCES = t/fuzz/fuzz_inline.c t/fuzz/replay.c $(FUZZ_COMMON)
t_fuzz_replay_inline_LDADD = $(VD_LIBS)
t_fuzz_fuzz_inline_SOURCES = t/fuzz/fuzz_inline.c $(FUZZ_COMMON)
t_fuzz_fuzz_inline_LDADD = $(VD_LIBS)
t_fuzz_fuzz_inline_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)

check_PROGRAMS += t/fuzz/replay_regexp
t_fuzz_replay_regexp_SOURCES = t/fuzz/fuzz_regexp.c t/fuzz/replay.c $(FUZZ_COMMON)
t_fuzz_replay_regexp_LDADD = $(VD_LIBS)
t_fuzz_fuzz_regexp_SOURCES = t/fuzz/fuzz_regexp.c $(FUZZ_COMMON)
t_fuzz_fuzz_regexp_LDADD = $(VD_LIBS)
t_fuzz_fuzz_regexp_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)

check_PROGRAMS += t/fuzz/replay_pcre
t_fuzz_replay_pcre_SOURCES = t/fuzz/fuzz_pcre.c t/fuzz/replay.c $(FUZZ_COMMON)
t_fuzz_replay_pcre_LDADD = $(VD_LIBS)
t_fuzz_fuzz_pcre_SOURCES = t/fuzz/fuzz_pcre.c $(FUZZ_COMMON)
t_fuzz_fuzz_pcre_LDADD = $(VD_LIBS)
t_fuzz_fuzz_pcre_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)

check_PROGRAMS += t/fuzz/replay_lmtp
t_fuzz_replay_lmtp_SOURCES = t/fuzz/fuzz_lmtp.c t/fuzz/replay.c $(FUZZ_COMMON)
t_fuzz_replay_lmtp_LDADD = $(VD_LIBS)
t_fuzz_fuzz_lmtp_SOURCES = t/fuzz/fuzz_lmtp.c $(FUZZ_COMMON)
t_fuzz_fuzz_lmtp_LDADD = $(VD_LIBS)
t_fuzz_fuzz_lmtp_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)
CLEANFILES += $(EXTRA_PROGRAMS)

dist_check_SCRIPTS += t/fuzz-replay.sh
TESTS += t/fuzz-replay.sh

# make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="..."]: a clang build in
# _build-fuzz with ASan+UBSan+libFuzzer, each target run FUZZ_SECONDS
# over a scratch copy of its seed corpus; fails on any finding.
fuzz:
	FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_TARGETS='$(FUZZ_TARGETS)' \
	    $(SHELL) $(top_srcdir)/t/fuzz/run-fuzz.sh '$(abs_top_srcdir)' '$(abs_top_builddir)/_build-fuzz'
.PHONY: fuzz
