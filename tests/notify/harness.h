/* SPDX-License-Identifier: Apache-2.0 */
/* A harness for the notifier's tests: a child process installs the watch
 * filter (sandbox/watch.c), hands its listener over the way the sandbox
 * does, then runs numbered cases on command; the parent runs the notifier,
 * records what the decision callback was shown, answers with the verdict
 * the case asks for, and collects what the child's system call returned. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "supervisor/notify/notify.h"

#define H_PATH_MAX 8448
#define H_MAX_RECS 64

struct h_target {
	enum mb_target_kind kind;
	enum mb_presence presence;
	unsigned ops;
	bool unix_socket;
	int family;
	int resolve_error;
	char path[H_PATH_MAX];
	struct mb_addr addr;
	bool unreadable;
	unsigned salen; /* socket calls: the sockaddr's length as read */
};

/* What one callback invocation saw. */
struct h_rec {
	char syscall[24];
	pid_t pid;
	unsigned n;
	struct h_target t[2];
	unsigned nmsg; /* sendmmsg decided as one call: its first two in t */
};

extern struct h_rec h_recs[H_MAX_RECS];
extern int h_nrecs;
/* The verdict the callback returns (reset to allow before each case). */
extern struct mb_answer h_verdict;
/* Deny only the callback's Nth call of a case (1-based), allow the others;
 * 0: h_verdict for every call. */
extern int h_deny_nth;
/* Deny calls of this system call only, allow the others (NULL: off). */
extern const char *h_deny_syscall;
/* Deny every call with a target at or beneath this path (and every
 * unreadable argument), allow the others (NULL: off; first of the three). */
extern const char *h_deny_within;
/* Allow only calls whose every target is at or beneath this path (NULL:
 * off; after h_deny_within). */
extern const char *h_allow_within;
/* With MB_NOTIFY_FAST: take the complete way all the same (the twin says no). */
extern bool h_no_fast;

/* A case runs in the child; it returns the call's result or -errno. */
typedef long (*h_case_fn)(void);

/* Fork the child: it runs setup (may be NULL; it may fork, and only the
 * process that returns from it is watched), installs the filter, hands the
 * listener over and serves cases from cases[]. Returns 0 or -errno. With
 * MB_NOTIFY_FAST in the environment the notifier also gets the verdict's
 * pure twin (opts.allows), so that allowed opens take its fast way; with
 * MB_NOTIFY_NO_OPENAT2 the test's own process (the supervisor side) loses
 * openat2 once the child is forked (ENOSYS, as under a service manager's
 * seccomp filter). */
int h_start(h_case_fn const *cases, void (*setup)(void), const struct mb_notifier_opts *opts);
/* Run case i in the child and handle notifications until it answers.
 * Returns the case's result. Records are reset first. */
long h_run(int i);
/* The first record of syscall name, or NULL. */
const struct h_rec *h_find(const char *syscall);
/* Stop the child; returns its wait status. */
int h_stop(void);
struct mb_notifier *h_notifier(void);
/* MB_NOTIFY_TWIN: the twin taking every other notification; else NULL. */
struct mb_notifier *h_twin(void);
/* The notifier's counters, its twin's added (MB_NOTIFY_TWIN). */
struct mb_notifier_stats h_stats(void);
/* Features the child's install reported (MB_WATCH_*). */
unsigned h_features(void);

/* Helpers for cases and checks. */
const char *h_presence_name(enum mb_presence p);
const char *h_kind_name(enum mb_target_kind k);
/* "1.2.3.4:80" or "[::1]:80". */
const char *h_addr_format(const struct mb_addr *a, char *buf, size_t bufsz);
