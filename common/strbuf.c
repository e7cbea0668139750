/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

static bool reserve(struct mb_strbuf *b, size_t more)
{
	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	size_t ncap = b->cap ? b->cap : 64;
	while (ncap < b->len + more + 1) {
		if (ncap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		ncap *= 2;
	}
	char *p = realloc(b->s, ncap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->s = p;
	b->cap = ncap;
	return true;
}

void mb_strbuf_append(struct mb_strbuf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void mb_strbuf_puts(struct mb_strbuf *b, const char *s)
{
	mb_strbuf_append(b, s, strlen(s));
}

void mb_strbuf_putc(struct mb_strbuf *b, char c)
{
	mb_strbuf_append(b, &c, 1);
}

void mb_strbuf_printf(struct mb_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		b->oom = true;
		return;
	}
	if ((size_t)n < sizeof(tmp)) {
		va_end(ap2);
		mb_strbuf_append(b, tmp, (size_t)n);
		return;
	}
	if (reserve(b, (size_t)n)) {
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap2);
		b->len += (size_t)n;
	}
	va_end(ap2);
}

void mb_strbuf_json_string(struct mb_strbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	mb_strbuf_putc(b, '"');
	size_t run = 0; /* bytes copied verbatim in one go */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			if (c < 0x20) {
				u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
				u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = '\0';
				esc = u;
			}
		}
		if (!esc) {
			run++;
			continue;
		}
		mb_strbuf_append(b, s + i - run, run);
		run = 0;
		mb_strbuf_puts(b, esc);
	}
	mb_strbuf_append(b, s + n - run, run);
	mb_strbuf_putc(b, '"');
}

void mb_strbuf_reset(struct mb_strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void mb_strbuf_free(struct mb_strbuf *b)
{
	free(b->s);
	*b = (struct mb_strbuf){0};
}

char *mb_strbuf_take(struct mb_strbuf *b)
{
	char *s = b->s ? b->s : strdup("");
	*b = (struct mb_strbuf){0};
	return s;
}
