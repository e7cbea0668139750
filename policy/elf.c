/* SPDX-License-Identifier: Apache-2.0 */
#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/macros.h"
#include "policy/elf.h"

static int read_at(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r = pread(fd, buf, n, off);
	if (r < 0)
		return mb_neg_errno();
	return (size_t)r == n ? 0 : -ENOEXEC;
}

int mb_elf_interpreter(const char *path, char *out, size_t outsz)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == EISDIR ? 0 : mb_neg_errno();
	Elf64_Ehdr eh;
	if (read_at(fd, &eh, sizeof(eh), 0) < 0 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
		return 0; /* not an ELF64 executable: nothing to add */
	for (unsigned i = 0; i < eh.e_phnum && i < 256; i++) {
		Elf64_Phdr ph;
		if (read_at(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) < 0)
			return 0;
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz < 2 || ph.p_filesz > outsz)
			return -ENAMETOOLONG;
		if (read_at(fd, out, ph.p_filesz, (off_t)ph.p_offset) < 0)
			return -ENOEXEC;
		out[ph.p_filesz - 1] = '\0';
		if (out[0] != '/' || strlen(out) != ph.p_filesz - 1)
			return -ENOEXEC;
		return (int)(ph.p_filesz - 1);
	}
	return 0;
}
