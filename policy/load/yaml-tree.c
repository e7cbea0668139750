/* SPDX-License-Identifier: Apache-2.0 */
/* libyaml events -> struct yt_node tree. The builder recurses once per
 * nesting level, so nesting is bounded (YT_MAX_DEPTH) to keep a hostile
 * document from exhausting the stack. */
#include <string.h>
#include <yaml.h>

#include "policy/load/yaml-tree.h"

#define YT_MAX_DEPTH 64

struct builder {
	yaml_parser_t parser;
	const char *name;
	const char *data;
	size_t len;
	struct mb_error *err;
};

static int oom(struct builder *b)
{
	return mb_error_set(b->err, -ENOMEM, "%s: out of memory while reading YAML", b->name);
}

/* libyaml's reader reports a byte offset, not a mark: count lines and
 * characters (UTF-8 lead bytes) up to it, as the scanner would. */
static void offset_to_mark(const struct builder *b, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if ((c & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static int syntax_error(struct builder *b)
{
	const yaml_parser_t *p = &b->parser;
	const char *problem = p->problem ? p->problem : "unknown error";
	unsigned line, col;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return oom(b);
	case YAML_READER_ERROR:
		offset_to_mark(b, p->problem_offset, &line, &col);
		return mb_error_at(b->err, -EINVAL, b->name, line, col,
				   "YAML syntax error: %s (a profile is UTF-8 text)", problem);
	default:
		line = (unsigned)p->problem_mark.line + 1;
		col = (unsigned)p->problem_mark.column + 1;
		if (p->context)
			return mb_error_at(b->err, -EINVAL, b->name, line, col,
					   "YAML syntax error: %s, %s at %u:%u", problem, p->context,
					   (unsigned)p->context_mark.line + 1,
					   (unsigned)p->context_mark.column + 1);
		return mb_error_at(b->err, -EINVAL, b->name, line, col, "YAML syntax error: %s",
				   problem);
	}
}

static int next_event(struct builder *b, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&b->parser, ev))
		return syntax_error(b);
	return 0;
}

static void node_clear(struct yt_node *n)
{
	switch (n->kind) {
	case YT_SCALAR:
		free(n->text);
		break;
	case YT_SEQ:
		for (size_t i = 0; i < n->n; i++)
			node_clear(&n->items[i]);
		free(n->items);
		break;
	case YT_MAP:
		for (size_t i = 0; i < n->n; i++) {
			node_clear(&n->pairs[i].key);
			node_clear(&n->pairs[i].value);
		}
		free(n->pairs);
		break;
	}
	memset(n, 0, sizeof(*n));
}

static bool is_null_text(const char *s, size_t len)
{
	return len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static int build_scalar(struct builder *b, const yaml_event_t *ev, struct yt_node *out)
{
	size_t len = ev->data.scalar.length;
	const char *v = (const char *)ev->data.scalar.value;
	if (memchr(v, '\0', len))
		return mb_error_at(b->err, -EINVAL, b->name, out->line, out->column,
				   "a NUL character is not allowed in a string (remove the \\0)");
	out->text = malloc(len + 1);
	if (!out->text)
		return oom(b);
	memcpy(out->text, v, len);
	out->text[len] = '\0';
	out->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	out->null = out->plain && is_null_text(out->text, len);
	return 0;
}

static int build(struct builder *b, yaml_event_t *ev, struct yt_node *out, unsigned depth);

/* Read the next event and build the node it starts; end_type ends the
 * collection instead (returns 1). */
static int build_next(struct builder *b, yaml_event_type_t end_type, struct yt_node *out,
		      unsigned depth)
{
	yaml_event_t ev;
	int r = next_event(b, &ev);
	if (r < 0)
		return r;
	if (ev.type == end_type) {
		yaml_event_delete(&ev);
		return 1;
	}
	r = build(b, &ev, out, depth);
	yaml_event_delete(&ev);
	return r;
}

static int build_seq(struct builder *b, struct yt_node *out, unsigned depth)
{
	size_t cap = 0;
	for (;;) {
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct yt_node *v = realloc(out->items, ncap * sizeof(*v));
			if (!v)
				return oom(b);
			out->items = v;
			cap = ncap;
		}
		struct yt_node *item = &out->items[out->n];
		memset(item, 0, sizeof(*item));
		int r = build_next(b, YAML_SEQUENCE_END_EVENT, item, depth + 1);
		if (r < 0)
			return r;
		if (r > 0)
			return 0;
		out->n++;
	}
}

static int build_map(struct builder *b, struct yt_node *out, unsigned depth)
{
	size_t cap = 0;
	for (;;) {
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct yt_pair *v = realloc(out->pairs, ncap * sizeof(*v));
			if (!v)
				return oom(b);
			out->pairs = v;
			cap = ncap;
		}
		struct yt_pair *pair = &out->pairs[out->n];
		memset(pair, 0, sizeof(*pair));
		int r = build_next(b, YAML_MAPPING_END_EVENT, &pair->key, depth + 1);
		if (r < 0)
			return r;
		if (r > 0)
			return 0;
		if (pair->key.kind != YT_SCALAR || pair->key.null) {
			r = mb_error_at(b->err, -EINVAL, b->name, pair->key.line, pair->key.column,
					"a key must be a name, not %s (write NAME: value)",
					yt_describe(&pair->key));
			node_clear(&pair->key);
			return r;
		}
		r = build_next(b, YAML_MAPPING_END_EVENT, &pair->value, depth + 1);
		if (r != 0) {
			node_clear(&pair->key);
			/* libyaml always pairs a key with a value (an empty one
			 * is a null scalar), so r > 0 cannot happen. */
			return r < 0 ? r : oom(b);
		}
		out->n++;
	}
}

static int build(struct builder *b, yaml_event_t *ev, struct yt_node *out, unsigned depth)
{
	memset(out, 0, sizeof(*out));
	out->line = (unsigned)ev->start_mark.line + 1;
	out->column = (unsigned)ev->start_mark.column + 1;

	const yaml_char_t *tag = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT: tag = ev->data.scalar.tag; break;
	case YAML_SEQUENCE_START_EVENT: tag = ev->data.sequence_start.tag; break;
	case YAML_MAPPING_START_EVENT: tag = ev->data.mapping_start.tag; break;
	case YAML_ALIAS_EVENT:
		return mb_error_at(b->err, -EINVAL, b->name, out->line, out->column,
				   "YAML aliases are not allowed in a profile (write the value out in full)");
	default:
		/* The parser only emits node events here. */
		return mb_error_at(b->err, -EINVAL, b->name, out->line, out->column,
				   "YAML syntax error: unexpected event");
	}
	if (tag) {
		/* libyaml hands "!!int" over resolved: show it as written. */
		static const char core[] = "tag:yaml.org,2002:";
		const char *t = (const char *)tag;
		bool is_core = strncmp(t, core, sizeof(core) - 1) == 0;
		return mb_error_at(b->err, -EINVAL, b->name, out->line, out->column,
				   "YAML tags are not allowed in a profile (remove the tag '%s%s')",
				   is_core ? "!!" : "", is_core ? t + sizeof(core) - 1 : t);
	}
	if (depth > YT_MAX_DEPTH)
		return mb_error_at(b->err, -EINVAL, b->name, out->line, out->column,
				   "nested more than %d levels deep (a profile is flatter than this)",
				   YT_MAX_DEPTH);

	int r;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		out->kind = YT_SCALAR;
		r = build_scalar(b, ev, out);
		break;
	case YAML_SEQUENCE_START_EVENT:
		out->kind = YT_SEQ;
		r = build_seq(b, out, depth);
		break;
	default:
		out->kind = YT_MAP;
		r = build_map(b, out, depth);
		break;
	}
	if (r < 0)
		node_clear(out);
	return r;
}

static int expect_event(struct builder *b, yaml_event_type_t type, yaml_event_t *ev)
{
	int r = next_event(b, ev);
	if (r < 0)
		return r;
	if (ev->type != type) {
		/* libyaml's grammar allows nothing else here. */
		yaml_mark_t m = ev->start_mark;
		yaml_event_delete(ev);
		return mb_error_at(b->err, -EINVAL, b->name, (unsigned)m.line + 1,
				   (unsigned)m.column + 1, "YAML syntax error: unexpected event");
	}
	return 0;
}

static int parse_stream(struct builder *b, struct yt_node *root)
{
	yaml_event_t ev;
	int r = expect_event(b, YAML_STREAM_START_EVENT, &ev);
	if (r < 0)
		return r;
	yaml_event_delete(&ev);

	r = next_event(b, &ev);
	if (r < 0)
		return r;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return -ENODATA;
	}
	yaml_event_delete(&ev); /* DOCUMENT_START */

	r = build_next(b, YAML_DOCUMENT_END_EVENT, root, 0);
	if (r != 0)
		return r < 0 ? r : -ENODATA;

	r = expect_event(b, YAML_DOCUMENT_END_EVENT, &ev);
	if (r >= 0) {
		yaml_event_delete(&ev);
		r = next_event(b, &ev);
	}
	if (r >= 0) {
		if (ev.type != YAML_STREAM_END_EVENT)
			r = mb_error_at(b->err, -EINVAL, b->name,
					(unsigned)ev.start_mark.line + 1,
					(unsigned)ev.start_mark.column + 1,
					"a second YAML document (a profile is one document: remove the '---')");
		yaml_event_delete(&ev);
	}
	if (r < 0)
		node_clear(root);
	return r;
}

int yt_parse(const char *name, const char *data, size_t len, struct yt_node **ret,
	     struct mb_error *err)
{
	struct builder b = { .name = name, .data = data, .len = len, .err = err };
	struct yt_node *root = calloc(1, sizeof(*root));
	if (!root)
		return oom(&b);
	if (!yaml_parser_initialize(&b.parser)) {
		free(root);
		return oom(&b);
	}
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)data, len);
	int r = parse_stream(&b, root);
	yaml_parser_delete(&b.parser);
	if (r < 0) {
		free(root);
		return r;
	}
	*ret = root;
	return 0;
}

void yt_free(struct yt_node *root)
{
	if (!root)
		return;
	node_clear(root);
	free(root);
}

const char *yt_describe(const struct yt_node *n)
{
	switch (n->kind) {
	case YT_SEQ: return "a list";
	case YT_MAP: return "a mapping";
	default: return n->null ? "an empty value" : "a string";
	}
}
