/* SPDX-License-Identifier: Apache-2.0 */
/* Learn mode drafts names, never the addresses they resolved to: the
 * sandbox's resolver answers every name while learning (and binds each
 * address to it), and a connect to an address it answered is recorded as
 * NAME:PORT. Kept apart from the recorder (learn.c) and the writer
 * (learn-draft.c, learn-write.c), which take the text as it comes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/learn/learn-internal.h"

void mb_learner_set_names(struct mb_learner *l,
			  const char *(*addr_name)(void *ud, const struct mb_addr *a),
			  bool (*addr_self)(void *ud, const struct mb_addr *a), void *ud)
{
	l->addr_name = addr_name;
	l->addr_self = addr_self;
	l->addr_name_ud = ud;
}

bool mb_learn_addr_internal(const struct mb_learner *l, const struct mb_addr *a)
{
	return l->addr_self && l->addr_self(l->addr_name_ud, a);
}

static struct learn_name *find_name(struct mb_learner *l, const char *name, bool add)
{
	mb_vec_foreach(n, &l->names) {
		if (strcmp(n->name, name) == 0)
			return n;
	}
	if (!add || l->names.n >= LEARN_MAX_NAMES)
		return NULL;
	char *s = strdup(name);
	struct learn_name *n = s ? mb_vec_new(&l->names) : NULL;
	if (!n) {
		free(s); /* a name not kept is not drafted quiet: reported enforced */
		return NULL;
	}
	*n = (struct learn_name){ .name = s };
	return n;
}

void mb_learner_name_asked(struct mb_learner *l, const char *name)
{
	struct learn_name *n = find_name(l, name, true);
	if (n)
		n->asked++;
}

void mb_learn_name_connected(struct mb_learner *l, const char *name)
{
	struct learn_name *n = find_name(l, name, true);
	if (n)
		n->connected = true;
}

void mb_learn_addr_text(const struct mb_learner *l, const struct mb_addr *a, char *buf,
			size_t bufsz)
{
	const char *name = l->addr_name ? l->addr_name(l->addr_name_ud, a) : NULL;
	if (!name) {
		mb_addr_format(a, buf, bufsz);
		return;
	}
	const char *proto = a->proto == MB_PROTO_UDP ? "udp:" : "";
	snprintf(buf, bufsz, "%s%s:%u", proto, name, (unsigned)a->port);
}
