/* par.c — work spread over threads (see include/kaoping/par.h). */
#include "kaoping/par.h"

static void *at(void *items, size_t i, size_t size)
{
	return (char *)items + i * size;
}

/* Start workers [from, n) in threads; those that cannot start run here.
 * Threads go into p->tid[from..); p->started counts from 0. */
static void start_from(kp_par *p, void *items, size_t from, size_t n, size_t size, void *(*fn)(void *))
{
	size_t i;

	p->started = from;
	for (i = from; i < n && i < KP_PAR_MAX; i++) {
		if (pthread_create(&p->tid[i], NULL, fn, at(items, i, size)) != 0)
			break;
		p->started = i + 1;
	}
	for (i = p->started; i < n; i++) /* could not start them all: the rest here */
		fn(at(items, i, size));
}

void kp_par_start(kp_par *p, void *items, size_t n, size_t size, void *(*fn)(void *))
{
	p->first = 0;
	start_from(p, items, 0, n, size, fn);
}

void kp_par_join(kp_par *p)
{
	size_t i;

	for (i = p->first; i < p->started; i++)
		pthread_join(p->tid[i], NULL);
	p->started = p->first = 0;
}

void kp_par_run(void *items, size_t n, size_t size, void *(*fn)(void *))
{
	kp_par p;

	if (n == 0)
		return;
	p.first = 1;
	start_from(&p, items, 1, n, size, fn);
	fn(items);
	kp_par_join(&p);
}
