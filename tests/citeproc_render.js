// Print what citeproc-js (the CSL reference processor) makes of CSL-JSON items, as plain text.
//
// Reads one JSON object on standard input:
//   {"locale": "path/to/locales-en-US.xml",
//    "styles": {"chicago": "path/to/chicago-notes-bibliography.csl", ...},
//    "items": [CSL-JSON item, ...]}
// and writes one JSON object: {style name: {item id: {"note": ..., "bib": ...}}}, where "note"
// is the full note of a first citation and "bib" the item's bibliography entry.
//
// Each item is rendered on its own, as if it were the only one cited, so that nothing one
// item does (a repeated author replaced by a dash, a year suffix) leaks into another.
// The "citeproc" package is found the way node finds any package (NODE_PATH included).
"use strict";

const fs = require("fs");
const CSL = require("citeproc");

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const locale = fs.readFileSync(request.locale, "utf8");
const byId = new Map(request.items.map((item) => [String(item.id), item]));

const sys = {
  retrieveLocale: () => locale,
  retrieveItem: (id) => byId.get(String(id)),
};

const out = {};
for (const [name, path] of Object.entries(request.styles)) {
  const engine = new CSL.Engine(sys, fs.readFileSync(path, "utf8"), "en-US", true);
  engine.setOutputFormat("text");
  const rendered = {};
  for (const id of byId.keys()) {
    engine.updateItems([id]);
    const note = engine.makeCitationCluster([{ id }]);
    const [, entries] = engine.makeBibliography();
    rendered[id] = { note, bib: entries.join("").trim() };
  }
  out[name] = rendered;
}
process.stdout.write(JSON.stringify(out));
