/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <unistd.h>

#include "common/macros.h"
#include "sandbox/memfd.h"

int mb_memfd_noexec(void)
{
	/* The handler acts on the writer's pid namespace, whichever /proc
	 * instance the path goes through. */
	int fd = open("/proc/sys/vm/memfd_noexec", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return mb_neg_errno();
	int r = write(fd, "2", 1) == 1 ? 0 : mb_neg_errno();
	mb_close(fd);
	return r;
}
