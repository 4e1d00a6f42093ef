/* SPDX-License-Identifier: MIT */
/*
 * lock - mailbox locks: dotlock (liblockfile), flock(), fcntl()
 *
 * DESCRIPTION
 *	virtual_mailbox_lock as Postfix applies it.  Each lock is tried
 *	req->lock_attempts times with a random pause in [0.75 d, 1.25 d]
 *	(d = req->lock_delay_ms) between tries; a lock still busy after the
 *	last try gives 4.2.0.
 *
 *	The dotlock <mailbox>.lock is made with liblockfile's NFS-safe
 *	link() method, one lockfile_create(path, 0, L_PID) call per try
 *	inside this loop (Postfix's timing, not liblockfile's 5-60 s
 *	sleeps).  Before each try a lock whose ctime is older than
 *	req->stale_lock_time seconds is removed (Postfix's rule).  The lock
 *	directory is pinned: liblockfile gets the name
 *	"/proc/self/fd/<dirfd>/<mailbox>.lock", so a directory swapped for
 *	a symbolic link after safe_walk() cannot redirect the lock.
 */
#ifndef VD_DELIVER_LOCK_H
#define VD_DELIVER_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "deliver/deliver.h"
#include "status.h"

struct lock_dot {
	int dirfd;		/* borrowed: the mailbox directory */
	char *name;		/* "<mailbox name>.lock", relative to dirfd */
	char *pinned;		/* what liblockfile sees (see above) */
	bool is_held;
};

/* lock_dot_init - an empty lock_dot (nothing held) */
void lock_dot_init(struct lock_dot *d);

/*
 * lock_dot_acquire - create <name>.lock in dirfd; path is the mailbox
 * path for messages.  Returns 0, or -1 with st: busy after all tries
 * 4.2.0 "unable to create lock file <path>.lock: File exists"; other
 * errors mbox_dsn(errno, "4.2.0") with the same text and strerror.  The
 * directory must be writable by the effective uid/gid (checked before
 * liblockfile runs, so that its setgid helper dotlockfile(1) is never
 * used: EACCES).
 */
int lock_dot_acquire(struct lock_dot *d, int dirfd, const char *name,
    const char *path, const struct deliver_request *req,
    struct vd_status *st);

/* lock_dot_release - remove the lock if held (lockfile_remove); frees d */
void lock_dot_release(struct lock_dot *d);

/*
 * lock_kernel - flock(LOCK_EX|LOCK_NB) and then fcntl(F_SETLK, F_WRLCK,
 * whole file), as req->lock_mask says.  Returns 0, or -1 with st
 * "unable to lock for exclusive access: <strerror>" (busy: EAGAIN,
 * 4.2.0).  The locks go away when fd is closed.
 */
int lock_kernel(int fd, const struct deliver_request *req,
    struct vd_status *st);

/* lock_sleep_us - sleep a random time in [0.75 us, 1.25 us] microseconds */
void lock_sleep_us(uint64_t us);

#endif
