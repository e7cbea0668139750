/* SPDX-License-Identifier: Apache-2.0 */
/* The event loop's timers (behind its timerfd): order, cancel, re-arm from
 * a callback, a timer due at once, and watchers and timers together. */
#include <unistd.h>

#include <stddef.h>
#include <sys/epoll.h>

#include "common/loop.h"
#include "tests/tap.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

struct tm {
	struct mb_timer t;
	struct mb_loop *l;
	char name;
	int rearm; /* re-arm itself this many times, 0 ms each */
};

static char order[32];
static size_t norder;
static int quit_after;

static void fire(struct mb_timer *t)
{
	struct tm *x = container_of(t, struct tm, t);
	if (norder < sizeof(order) - 1)
		order[norder++] = x->name;
	if (x->rearm-- > 0)
		mb_timer_arm(x->l, t, 0);
	if (--quit_after == 0)
		mb_loop_quit(x->l);
}

static int pipefd[2];
static bool got_input;

static void on_read(struct mb_io *w, uint32_t ev)
{
	char c;
	(void)ev;
	if (read(w->fd, &c, 1) == 1)
		got_input = true;
	order[norder++] = 'w';
}

int main(void)
{
	struct mb_loop *l;
	if (!ok(mb_loop_new(&l) == 0, "loop created"))
		return done_testing();
	struct tm a = { .t.cb = fire, .l = l, .name = 'a' }, b = { .t.cb = fire, .l = l, .name = 'b' },
		  c = { .t.cb = fire, .l = l, .name = 'c', .rearm = 2 },
		  d = { .t.cb = fire, .l = l, .name = 'd' };
	mb_timer_arm(l, &a.t, 30);
	mb_timer_arm(l, &b.t, 10);
	mb_timer_arm(l, &d.t, 20);
	mb_timer_cancel(l, &d.t);
	mb_timer_arm(l, &c.t, 0);
	quit_after = 5; /* c three times, b, a */
	uint64_t t0 = mb_now_ns();
	is_int(mb_loop_run(l), 0, "the loop ran");
	order[norder] = 0;
	is_str(order, "cccba", "due order; the cancelled timer never fired; re-armed at 0 ms three times");
	ok(mb_now_ns() - t0 >= 30000000u, "the last one fired no earlier than its 30 ms");
	ok(!a.t.armed && !b.t.armed && !d.t.armed, "nothing left armed");

	/* A watcher and a timer: the input first, then the timer; re-arming
	 * a pending timer moves it. */
	if (pipe(pipefd) < 0)
		return 1;
	struct mb_io w = { .fd = pipefd[0], .events = EPOLLIN, .cb = on_read };
	ok(mb_io_add(l, &w) == 0, "watcher added");
	norder = 0;
	mb_timer_arm(l, &a.t, 5000);
	mb_timer_arm(l, &a.t, 20); /* moved earlier */
	(void)!write(pipefd[1], "x", 1);
	quit_after = 1;
	is_int(mb_loop_run(l), 0, "the loop ran again");
	order[norder] = 0;
	ok(got_input, "the input was read");
	is_str(order, "wa", "input, then the moved timer");
	mb_io_del(&w);
	close(pipefd[0]);
	close(pipefd[1]);
	mb_loop_free(l);
	return done_testing();
}
