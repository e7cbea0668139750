/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp programs as data: what libseccomp compiles, exported as classic
 * BPF so that it can be built in one process and loaded in another (the
 * caller builds the baseline while the sandbox's init builds the mounts),
 * and loaded with flags libseccomp 2.5 does not know or does not set. */
#pragma once

#include <linux/filter.h>
#include <seccomp.h>
#include <stddef.h>

#include "common/error.h"

struct mb_bpf {
	struct sock_filter *insns; /* malloc'd */
	size_t n;
};

int mb_bpf_export(scmp_filter_ctx ctx, struct mb_bpf *ret, struct mb_error *err);
/* Load on the calling thread (no_new_privs set). Returns 0, or the listener
 * fd with SECCOMP_FILTER_FLAG_NEW_LISTENER, or -errno. */
int mb_bpf_load(const struct mb_bpf *p, unsigned flags, struct mb_error *err);
void mb_bpf_free(struct mb_bpf *p);
