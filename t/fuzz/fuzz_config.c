/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config - the main.cf reader (config_load, $name expansion)
 *
 * DESCRIPTION
 *	Input: the bytes of a main.cf.  After a successful load the typed
 *	fields are read, the map lists split, and a few parameters fetched
 *	with config_get(); a failed load must leave a status with a DSN and
 *	a one-line text that names the file.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "textline.h"

static const char *const fuzz_names[] = {
	"virtual_mailbox_base", "virtual_mailbox_maps", "virtual_uid_maps",
	"virtual_gid_maps", "virtual_mailbox_lock", "recipient_delimiter",
	"myhostname", "syslog_name", "a", "x", "undefined_parameter",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_config cfg;
	struct vd_status st;
	const char *path, *v;
	char **list;
	size_t i;

	fuzz_setup();
	path = fuzz_file(data, size);
	vd_status_clear(&st);
	if (config_load(&cfg, path, NULL, 0, &st) < 0) {
		fuzz_check(st.dsn[0] == '4' || st.dsn[0] == '5');
		fuzz_check(strchr(st.text, '\n') == NULL);
		return 0;
	}
	fuzz_check(cfg.virtual_minimum_uid >= 1);
	fuzz_check(cfg.deliver_lock_attempts >= 0);
	for (i = 0; i < sizeof(fuzz_names) / sizeof(fuzz_names[0]); i++)
		if ((v = config_get(&cfg, fuzz_names[i])) != NULL)
			fuzz_check(strlen(v) < (size_t)-1);
	if (cfg.virtual_mailbox_maps) {
		list = text_split_list(cfg.virtual_mailbox_maps,
		    TEXT_LIST_SEPS);
		text_list_free(list);
	}
	config_free(&cfg);
	return 0;
}
