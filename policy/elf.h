/* SPDX-License-Identifier: Apache-2.0 */
/* The ELF interpreter (PT_INTERP) a dynamic executable names: the kernel
 * executes it too, so an exec grant is useless without it. */
#pragma once

#include <stddef.h>

/* Read path's PT_INTERP into out. Returns its length, 0 when path is not a
 * dynamic ELF executable (static, a script, a directory), or -errno. */
int mb_elf_interpreter(const char *path, char *out, size_t outsz);
