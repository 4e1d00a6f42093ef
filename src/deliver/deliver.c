/* SPDX-License-Identifier: MIT */
/* deliver - placeholder until mbox and maildir delivery land */
#include "deliver/deliver.h"

int
deliver(const struct deliver_request *req, struct vd_status *st)
{
	(void)req;
	return vd_status_set(st, "4.3.0", "delivery not built");
}
