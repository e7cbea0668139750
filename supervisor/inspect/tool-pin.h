/* SPDX-License-Identifier: Apache-2.0 */
/* The tool contract, pinned at first sight: the set of tool names, each
 * tool's title, description, inputSchema, outputSchema and annotations, and
 * the server's instructions (initialize, server/discover). A later change is
 * the rug-pull signal: it is reported once per new version, and the tool is
 * marked changed (pin: strict refuses its calls until membrane-run restarts).
 * Also: tools/list filtering for unlisted_tools: deny, which removes elements
 * from the raw text and keeps every other byte. Server-supplied annotations
 * are compared, never trusted. */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "common/strbuf.h"
#include "policy/profile.h"
#include "supervisor/inspect/json-text.h"

struct mb_toolpin;

/* What the pin module wants to say; the inspector turns it into reports. */
struct mb_toolpin_events {
	/* A tool (or "instructions") changed: what is a list of field names
	 * ("description", "inputSchema", "added", "removed", ...). */
	void (*changed)(void *ud, const char *target, const char *const *what, size_t n);
	/* A profile placeholder names no property of the tool's inputSchema. */
	void (*mismatch)(void *ud, const char *tool, const char *placeholder);
	void *ud;
};

int mb_toolpin_new(const struct mb_profile *p, const struct mb_toolpin_events *ev,
		   struct mb_toolpin **ret);
void mb_toolpin_free(struct mb_toolpin *tp);

/* A tools/list result (first_page: its request carried no cursor). text and
 * msg are the frame's text and the message's span; result the parsed result.
 * If tools are hidden, *out receives the edited message (without newline)
 * and true is returned; otherwise the message goes on unchanged. */
bool mb_toolpin_list(struct mb_toolpin *tp, bool first_page, const char *text,
		     struct mb_span msg, const cJSON *result, struct mb_strbuf *out);

/* initialize / server/discover result: instructions. */
void mb_toolpin_instructions(struct mb_toolpin *tp, const cJSON *result);

/* Did the tool change since it was pinned (or appear after the first full
 * listing)? */
bool mb_toolpin_changed(const struct mb_toolpin *tp, const char *name);

/* The placeholder names ({x}, {x[]}) a tool's grants use, for callers that
 * check them; fn is called once per distinct name. */
void mb_grants_placeholders(const struct mb_grants *g, void (*fn)(const char *name, void *ud),
			    void *ud);
