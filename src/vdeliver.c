/* SPDX-License-Identifier: MIT */
/* vdeliver - placeholder */
#include <sysexits.h>
int main(void);
int
main(void)
{
	return EX_TEMPFAIL;
}
