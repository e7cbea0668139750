/* SPDX-License-Identifier: Apache-2.0 */
/* A typed growable array. The element storage has one owner: the struct that
 * embeds the vector. Growth is amortised; there is no shrinking. */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define MB_VEC(type)            \
	struct {                \
		type *v;        \
		size_t n, cap;  \
	}

/* Make room for one more element; returns 0 or -ENOMEM. */
int mb_vec_grow_(void **v, size_t *cap, size_t n, size_t elem);

#define mb_vec_reserve_one(vec) \
	mb_vec_grow_((void **)&(vec)->v, &(vec)->cap, (vec)->n, sizeof(*(vec)->v))

/* Append a copy of *elemp; returns 0 or -ENOMEM (the vector is unchanged). */
#define mb_vec_push(vec, elem)                                        \
	({                                                            \
		int _r_ = mb_vec_reserve_one(vec);                    \
		if (_r_ == 0)                                         \
			(vec)->v[(vec)->n++] = (elem);                \
		_r_;                                                  \
	})

/* Pointer to a new zeroed element at the end, or NULL (errno=ENOMEM). */
#define mb_vec_new(vec)                                               \
	({                                                            \
		__typeof__((vec)->v + 0) _e_ = NULL;                      \
		if (mb_vec_reserve_one(vec) == 0) {                   \
			_e_ = &(vec)->v[(vec)->n++];                  \
			__builtin_memset(_e_, 0, sizeof(*_e_));       \
		}                                                     \
		_e_;                                                  \
	})

#define mb_vec_foreach(it, vec) \
	for (__typeof__((vec)->v + 0) it = (vec)->v; it && it < (vec)->v + (vec)->n; it++)

#define mb_vec_free(vec)              \
	do {                          \
		free((vec)->v);       \
		(vec)->v = NULL;      \
		(vec)->n = (vec)->cap = 0; \
	} while (0)
