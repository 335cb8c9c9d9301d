/* par.h — work spread over threads, one shape for every place that does it
 * (the CSV reader's pieces, the scorer's units and batches, robust's
 * draws): each worker is an element of the caller's array, run by fn; a
 * worker whose thread cannot be started runs in the calling thread, so
 * the work is done either way, only slower.  Owns nothing but the thread
 * handles in the kp_par the caller gives it. */
#ifndef KAOPING_PAR_H
#define KAOPING_PAR_H

#include <pthread.h>
#include <stddef.h>

#define KP_PAR_MAX 16 /* workers at most */

typedef struct kp_par {
	pthread_t tid[KP_PAR_MAX];
	size_t first;     /* the first worker in a thread of its own (0 or 1) */
	size_t started;   /* workers [first, started) run in threads of their own */
} kp_par;

/* Start fn on each of the n workers (items + i * size) in threads of
 * their own; those that cannot be started run here before it returns.
 * n <= KP_PAR_MAX.  Then kp_par_join. */
void kp_par_start(kp_par *p, void *items, size_t n, size_t size, void *(*fn)(void *));
/* Wait for the workers kp_par_start started. */
void kp_par_join(kp_par *p);
/* Run fn on the n workers and wait: worker 0 in the calling thread, the
 * others in threads of their own. */
void kp_par_run(void *items, size_t n, size_t size, void *(*fn)(void *));

#endif
