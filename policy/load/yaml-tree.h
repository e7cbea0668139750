/* SPDX-License-Identifier: Apache-2.0 */
/* A YAML document as a small tree with 1-based source positions, built from
 * libyaml's event stream. Only what profiles use is accepted: one document,
 * scalars, lists and mappings with string keys. Aliases and tags are refused
 * (an alias can make a document cyclic or exponentially large), and so is a
 * NUL byte inside a scalar (our strings are C strings). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

enum yt_kind { YT_SCALAR, YT_SEQ, YT_MAP };

struct yt_pair;

struct yt_node {
	enum yt_kind kind;
	unsigned line, column; /* 1-based */
	bool null;             /* a plain scalar "", "~", "null", "Null" or "NULL" */
	bool plain;            /* a scalar written without quotes (YAML may type it) */
	char *text;            /* YT_SCALAR: NUL-terminated, no NUL inside */
	size_t n;              /* YT_SEQ: items; YT_MAP: pairs */
	struct yt_node *items; /* YT_SEQ */
	struct yt_pair *pairs; /* YT_MAP: keys are scalars, in document order */
};

struct yt_pair {
	struct yt_node key, value;
};

/* Parse data (len bytes) into *ret. name is used in messages. On failure
 * returns -EINVAL (or -ENOMEM) with err holding "name:line:column: ...". An
 * input without a document is an error. */
int yt_parse(const char *name, const char *data, size_t len, struct yt_node **ret,
	     struct mb_error *err);
void yt_free(struct yt_node *root);
MB_DEFINE_CLEANUP(struct yt_node, yt_free)

/* "a string", "a list", "a mapping" or "an empty value" (a null scalar). */
const char *yt_describe(const struct yt_node *n);
