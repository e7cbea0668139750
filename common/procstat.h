/* SPDX-License-Identifier: Apache-2.0 */
/* A process's parent and start time, from /proc/PID/stat: what tells a
 * process that started another from one that merely has its pid now. */
#pragma once

/* 0, or -errno (-ENOENT: no such process, -EIO: a line we cannot read). */
int mb_proc_stat(int pid, int *ret_ppid, unsigned long long *ret_start);

/* The process (thread group) that thread tid belongs to: its leader's pid,
 * which is tid itself for a single-threaded process. 0, or -errno. */
int mb_proc_tgid(int tid, int *ret_tgid);
