/* SPDX-License-Identifier: Apache-2.0 */
/* --explain: the compiled plan in words a security reviewer can check
 * against the profile: every mount, every Landlock rule, the seccomp policy,
 * the network, the limits, the environment, and each tool's grants. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "common/strbuf.h"
#include "sandbox/cgroup.h"
#include "sandbox/describe.h"
#include "sandbox/landlock.h"
#include "supervisor/explain.h"
#include "supervisor/notify/notify.h"

static void put_pos(struct mb_strbuf *b, const struct mb_srcpos *pos)
{
	if (pos->file && pos->line)
		mb_strbuf_printf(b, "  (%s:%u:%u)", pos->file, pos->line, pos->column);
}

static void put_size(struct mb_strbuf *b, uint64_t v)
{
	static const char units[] = "KMGT";
	int u = -1;
	while (v >= 1024 && v % 1024 == 0 && u < 3) {
		v /= 1024;
		u++;
	}
	mb_strbuf_printf(b, "%" PRIu64 "%s", v, u >= 0 ? (char[]){ units[u], 0 } : " bytes");
}

static void explain_mounts(struct mb_strbuf *b, const struct mb_plan *plan)
{
	mb_strbuf_puts(b, "\nFilesystem: a fresh tmpfs root (pivot_root), holding only:\n");
	mb_vec_foreach(m, &plan->mounts) {
		mb_strbuf_printf(b, "  %-8s %s", mb_mount_kind_name(m->kind), m->path);
		switch (m->kind) {
		case MB_MOUNT_SYMLINK:
			mb_strbuf_printf(b, " -> %s", m->link_target);
			break;
		case MB_MOUNT_PROC:
			mb_strbuf_puts(b, "  the sandbox's own pid namespace");
			break;
		case MB_MOUNT_DEV:
			mb_strbuf_puts(b, "  null zero full random urandom, no tty");
			break;
		case MB_MOUNT_BIND_RW:
			mb_strbuf_puts(b, m->exec ? "  nosuid,nodev" : "  nosuid,nodev,noexec");
			break;
		case MB_MOUNT_BIND_RO:
			mb_strbuf_puts(b, "  read-only,nosuid,nodev");
			break;
		case MB_MOUNT_TMPFS:
			mb_strbuf_puts(b, "  private, empty, nosuid,nodev");
			break;
		case MB_MOUNT_FILE:
			mb_strbuf_puts(b, "  membrane's own, read-only: the sandbox's resolver");
			break;
		}
		if (m->missing)
			mb_strbuf_puts(b, "  [optional, missing on this host: skipped]");
		put_pos(b, &m->pos);
		mb_strbuf_putc(b, '\n');
	}
}

/* Landlock and seccomp as the running kernel will apply them: the rights
 * each rule becomes at this ABI, and what the ABI cannot enforce. */
static void explain_kernel(struct mb_strbuf *b, const struct mb_plan *plan)
{
	int abi = mb_landlock_abi();
	mb_strbuf_putc(b, '\n');
	mb_describe_landlock(b, plan, abi > 0 ? abi : 0);
	mb_strbuf_putc(b, '\n');
	/* vm.memfd_noexec can be set only when started as root. */
	mb_describe_seccomp(b, plan, geteuid() == 0);
	char dyn[768];
	mb_notifier_describe_kernel(dyn, sizeof(dyn));
	mb_strbuf_printf(b, "\n%s", dyn);
}

/* A pattern with its placeholders' options written back in. */
static void put_pattern(struct mb_strbuf *b, const struct mb_path_pattern *pp)
{
	for (const char *s = pp->text; *s; s++) {
		if (*s == '\\' && s[1]) {
			mb_strbuf_append(b, s, 2);
			s++;
			continue;
		}
		if (*s != '{' || !strchr(s, '}')) {
			mb_strbuf_putc(b, *s);
			continue;
		}
		size_t n = strcspn(s + 1, "[}"), all = strcspn(s, "}");
		mb_strbuf_append(b, s, all); /* "{name" or "{name[]" */
		mb_vec_foreach(o, &pp->ph) {
			if (strlen(o->name) != n || strncmp(o->name, s + 1, n) != 0)
				continue;
			if (o->uri)
				mb_strbuf_puts(b, ":uri");
			if (o->dflt)
				mb_strbuf_printf(b, ":-%s", o->dflt);
		}
		mb_strbuf_putc(b, '}');
		s += all;
	}
	if (pp->optional)
		mb_strbuf_putc(b, '?');
}

static void put_patterns(struct mb_strbuf *b, const char *indent, const char *what,
			 const mb_pattern_vec *v)
{
	if (!v->n)
		return;
	mb_strbuf_printf(b, "%s%-8s", indent, what);
	const char *sep = "";
	mb_vec_foreach(pp, v) {
		mb_strbuf_puts(b, sep);
		put_pattern(b, pp);
		sep = ", ";
	}
	mb_strbuf_putc(b, '\n');
}

static void put_grants(struct mb_strbuf *b, const struct mb_grants *g, const char *indent)
{
	bool any = g->list.n > 0;
	for (unsigned op = 0; op < MB_PATH_OPS; op++) {
		put_patterns(b, indent, mb_op_name(op), &g->path[op]);
		any |= g->path[op].n > 0;
	}
	put_patterns(b, indent, "list", &g->list);
	for (unsigned i = 0; i < 2; i++) {
		if (!g->net[i].n)
			continue;
		mb_strbuf_printf(b, "%s%-8s", indent, mb_op_name(i == 0 ? MB_OP_CONNECT : MB_OP_BIND));
		const char *sep = "", *last = NULL;
		mb_vec_foreach(ep, &g->net[i]) {
			if (ep->text == last)
				continue; /* one host name, several addresses */
			mb_strbuf_printf(b, "%s%s", sep, ep->text);
			sep = ", ";
			last = ep->text;
		}
		mb_strbuf_putc(b, '\n');
		any = true;
	}
	if (!any)
		mb_strbuf_printf(b, "%snothing beyond runtime\n", indent);
}

static void explain_scopes(struct mb_strbuf *b, const struct mb_profile *p)
{
	mb_strbuf_puts(b, "\nRuntime grants (start-up, idle, and every call):\n");
	put_grants(b, &p->runtime, "  ");
	if (p->tmpfs.n) {
		mb_strbuf_puts(b, "  tmpfs   ");
		const char *sep = "";
		mb_vec_foreach(t, &p->tmpfs) {
			mb_strbuf_printf(b, "%s%s", sep, t->text);
			sep = ", ";
		}
		mb_strbuf_putc(b, '\n');
	}
	mb_strbuf_puts(b, "\nArguments: ");
	if (!p->within.n)
		mb_strbuf_puts(b, "no arguments.within: path arguments are not bounded before the call\n");
	else {
		mb_strbuf_puts(b, "a path that fills a {placeholder} must lie within ");
		const char *sep = "";
		mb_vec_foreach(w, &p->within) {
			mb_strbuf_printf(b, "%s%s", sep, w->text);
			sep = ", ";
		}
		mb_strbuf_puts(b, ", or the call is refused\n");
	}
	mb_strbuf_printf(b, "\nTools (a call may do runtime + its own grants; undeclared tools are %s):\n",
			 p->unlisted_tools == MB_UNLISTED_DENY ? "hidden and refused" : "allowed with runtime grants only");
	if (!p->tools.n)
		mb_strbuf_puts(b, "  none declared\n");
	mb_vec_foreach(t, &p->tools) {
		mb_strbuf_printf(b, "  %s", t->name);
		put_pos(b, &t->pos);
		mb_strbuf_putc(b, '\n');
		put_grants(b, &t->grants, "    ");
		if (t->outlive_ms)
			mb_strbuf_printf(b, "    outlive processes it starts keep these grants until they exit, %" PRIu64 " s at most\n",
					 t->outlive_ms / 1000);
	}
	if (p->requests.n) {
		mb_strbuf_puts(b, "\nRequests (other JSON-RPC methods):\n");
		mb_vec_foreach(t, &p->requests) {
			mb_strbuf_printf(b, "  %s", t->name);
			put_pos(b, &t->pos);
			mb_strbuf_putc(b, '\n');
			put_grants(b, &t->grants, "    ");
		}
	}
}

static void explain_rest(struct mb_strbuf *b, const struct mb_plan *plan)
{
	const struct mb_profile *p = plan->profile;
	mb_strbuf_puts(b, "\nNetwork: ");
	switch (plan->network) {
	case MB_NET_NONE:
		mb_strbuf_puts(b, "none: a network namespace with only lo\n");
		break;
	case MB_NET_BROKERED:
		mb_strbuf_puts(b, "brokered: a network namespace with only lo; granted connects are made by the supervisor\n");
		break;
	case MB_NET_HOST:
		mb_strbuf_puts(b, "host: the host's network namespace, narrowed by Landlock ports and the notifier\n");
		break;
	}
	const uint8_t *ns = plan->resolver;
	mb_strbuf_printf(b, "Names: membrane-run answers the sandbox's DNS at %u.%u.%u.%u:53, "
			    "names the grants in force allow; names are never resolved before\n",
			 ns[0], ns[1], ns[2], ns[3]);
	if (p->private_names.n) {
		mb_strbuf_puts(b, "  private_names (answers may be private addresses):");
		mb_vec_foreach(n, &p->private_names) {
			mb_strbuf_printf(b, " %s%s", n->wildcard ? "*." : "", n->name);
		}
		mb_strbuf_putc(b, '\n');
	}
	mb_strbuf_puts(b, "Limits:");
	if (p->limits.memory) {
		mb_strbuf_puts(b, " memory ");
		put_size(b, p->limits.memory);
	}
	if (p->limits.tasks)
		mb_strbuf_printf(b, " tasks %" PRIu64, p->limits.tasks);
	if (p->limits.files)
		mb_strbuf_printf(b, " files %" PRIu64, p->limits.files);
	if (!p->limits.memory && !p->limits.tasks && !p->limits.files)
		mb_strbuf_puts(b, " none beyond the defaults");
	mb_strbuf_puts(b, "; core dumps off\n");
	if (p->limits.memory) {
		/* What this host offers now; the start report says what held. */
		struct mb_cgroup cg;
		mb_cgroup_probe(&cg);
		mb_strbuf_puts(b, "  ");
		/* The IPC namespace's sysctls are the sandbox's to write when
		 * it maps root: when started as root. */
		mb_describe_memory(b, cg.by, cg.why, geteuid() == 0);
	}
	if (plan->user.set)
		mb_strbuf_printf(b, "User: uid %u gid %u when started as root\n", (unsigned)plan->user.uid,
				 (unsigned)plan->user.gid);
	mb_strbuf_puts(b, "Environment (nothing else is passed):");
	if (!plan->envp.n)
		mb_strbuf_puts(b, " empty");
	mb_vec_foreach(e, &plan->envp) mb_strbuf_printf(b, "\n  %s", *e);
	mb_strbuf_printf(b, "\nWorking directory: %s\n", plan->cwd);
	mb_strbuf_printf(b, "Denials: a tool result whose call had some lists them in its _meta%s\n",
			 p->denials == MB_DENIALS_NOTE ? ", and in a short text note" : "");
	if (p->quiet_pos.line) {
		mb_strbuf_puts(b, "Quiet (denied, counted in the exit report, not reported line by line):\n");
		put_grants(b, &p->quiet, "  ");
	}
	if (p->redact.n) {
		mb_strbuf_puts(b, "Redacted in reports:");
		mb_vec_foreach(r, &p->redact) mb_strbuf_printf(b, " %s", *r);
		mb_strbuf_putc(b, '\n');
	}
}

int mb_explain(const struct mb_plan *plan, FILE *out)
{
	const struct mb_profile *p = plan->profile;
	struct mb_strbuf b = { 0 };
	mb_strbuf_printf(&b, "Profile %s (%s)\n", p->name ? p->name : "(unnamed)", p->files.v[0]);
	if (p->description)
		mb_strbuf_printf(&b, "  %s\n", p->description);
	mb_strbuf_printf(&b, "Mode: %s; pin: %s; concurrency: %s\n", mb_mode_name(p->mode),
			 p->pin == MB_PIN_STRICT ? "strict" : "report",
			 p->concurrency == MB_CONCURRENCY_SERIAL ? "serial" : "parallel");
	explain_mounts(&b, plan);
	explain_kernel(&b, plan);
	explain_rest(&b, plan);
	explain_scopes(&b, p);
	if (mb_strbuf_failed(&b)) {
		mb_strbuf_free(&b);
		return -ENOMEM;
	}
	int r = fputs(b.s, out) < 0 || fflush(out) != 0 ? mb_neg_errno() : 0;
	mb_strbuf_free(&b);
	return r;
}
