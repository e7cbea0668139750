// SPDX-License-Identifier: Apache-2.0
// Read a draft written by membrane-run --learn for tests/learn/*.sh, and
// print one JSON object:
//   profile     the draft's active part, as a YAML parser reads it
//   suspicious  the block after the last "# ----" line, uncommented ("# "
//               dropped) and parsed: what the draft flags and does not grant
//   flagged     the text of every "# SUSPICIOUS: ..." line
//   lint        the text of every "# LINT: ..." line
//   header      the comment lines before "version: 1"
// The YAML parser is the one tests/e2e's pinned packages hold (yaml), found
// from $MEMBRANE_E2E_DIR.
//   node draft.mjs DRAFT.yml
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const e2e = process.env.MEMBRANE_E2E_DIR;
if (!e2e) throw new Error("draft.mjs: set MEMBRANE_E2E_DIR (make check does)");
const YAML = createRequire(`${e2e}/package.json`)("yaml");

const text = readFileSync(process.argv[2], "utf8");
const lines = text.split("\n");
const cut = lines.findLastIndex((l) => l.startsWith("# ----"));
const block = cut < 0 ? [] : lines.slice(cut + 1).map((l) => (l.startsWith("# ") ? l.slice(2) : l === "#" ? "" : l));
const first = lines.findIndex((l) => l.startsWith("version:"));
const out = {
	profile: YAML.parse(text),
	suspicious: YAML.parse(block.join("\n")) ?? {},
	flagged: lines.filter((l) => /^\s*#.*# SUSPICIOUS: /.test(l)).map((l) => l.replace(/^.*# SUSPICIOUS: /, "")),
	lint: lines.filter((l) => l.startsWith("# LINT: ")).map((l) => l.slice(8)),
	header: lines.slice(0, first < 0 ? 0 : first).filter((l) => l.startsWith("#")),
};
console.log(JSON.stringify(out));
