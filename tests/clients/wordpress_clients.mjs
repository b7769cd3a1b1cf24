/**
 * WordPress's own JavaScript clients against our /wp-json/ (issue #18), driven by
 * tests/clients/test_wordpress_clients.py.
 *
 *   node wordpress_clients.mjs <plan.json> <report.json>
 *
 * The plan names the client ("wpapi" or "api-fetch"), the live server's base URL and the
 * ids and slugs of the data the test made. The program uses the client as a site would,
 * records every HTTP exchange on the wire (method, URL, status, headers, body), validates
 * every JSON body against the JSON Schemas of WordPress's REST responses
 * (wp-json-schemas, the schemas behind wp-types) and writes a report: the facts the client
 * read, the exchanges and each body's validation. The test asserts on the facts; this
 * program exits 1, its failures on stderr, when a client call fails unexpectedly or a body
 * does not validate.
 */

import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import apiFetch from "@wordpress/api-fetch";
import Ajv2019 from "ajv/dist/2019.js";
import addFormats from "ajv-formats";
import WPAPI from "wpapi";

const HERE = dirname(fileURLToPath(import.meta.url));
const SCHEMAS = join(HERE, "node_modules", "wp-json-schemas");
const SCHEMA_BASE = "https://raw.githubusercontent.com/johnbillion/wp-json-schemas/trunk/";
const DISCOVERY_REL = "https://api.w.org/";
// The superagent wpapi itself loads (a dependency of wpapi, not of this package).
const require = createRequire(import.meta.url);
const superagent = createRequire(require.resolve("wpapi"))("superagent");

// --- the schemas ------------------------------------------------------------------------

/**
 * Ajv (draft 2019-09) holding every schema file of wp-json-schemas under its `$id`, so
 * that `$ref`s between files resolve. Nothing is relaxed for our answers: strict mode
 * stays on and `additionalProperties`, `required`, formats and patterns apply as written.
 * What Ajv itself cannot read is declared, and only that:
 * - `$schema` of every file is "…/draft/2019-09/hyper-schema", a meta-schema Ajv does not
 *   ship: the stand-in below checks each file against the 2019-09 meta-schema (core,
 *   applicator, validation, …) plus the shape of `links`.
 * - `links` (hyper-schema link description objects: hrefs of related resources, with
 *   `hrefSchema` and `targetSchema`) describe navigation, not the instance: declared as
 *   an annotation keyword, so nothing inside them is compiled or applied. The instance's
 *   own `_links` are validated by `properties/object-links.json`.
 * - `tsType` and `tsEnumNames` are json-schema-to-typescript's hints for wp-types'
 *   generated TypeScript: annotations, declared as such.
 * - `readonly` (theme.json only, a route we do not serve) is a misspelt `readOnly`, an
 *   annotation: declared as one.
 * - schema.json's `EmptyArray`: see load() below (made stricter, not looser).
 *
 * With `partial`, every `required` is dropped: for answers to `_fields`, which hold only
 * the fields asked for, in WordPress as here. What they hold must still validate.
 *
 * Our documented omissions need nothing relaxed: we send no `author_avatar_urls` on
 * comments and no `avatar_urls` on users (WordPress builds them from an md5 of the email,
 * which our privacy promise forbids), and neither is in the `required` list of
 * comment.json or user.json. `_embedded` members are objects in WordPress's *embed*
 * context, with fewer fields than the view context the item schemas describe: the
 * schemas type them as arrays only, and so are they checked (the test reads their fields).
 */
function schemaValidator({ partial = false } = {}) {
  const ajv = new Ajv2019({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addMetaSchema({
    $schema: "https://json-schema.org/draft/2019-09/schema",
    $id: "https://json-schema.org/draft/2019-09/hyper-schema",
    $recursiveAnchor: true,
    allOf: [{ $ref: "https://json-schema.org/draft/2019-09/schema" }],
    properties: {
      links: {
        type: "array",
        items: {
          type: "object",
          required: ["rel", "href"],
          properties: { rel: { type: "string" }, href: { type: "string" } },
        },
      },
    },
  });
  ajv.addKeyword({ keyword: "links", schemaType: "array" });
  ajv.addKeyword({ keyword: "tsType", schemaType: "string" });
  ajv.addKeyword({ keyword: "tsEnumNames", schemaType: "array" });
  ajv.addKeyword({ keyword: "readonly", schemaType: "boolean" });
  const ids = [];
  const load = (path, adjust = (schema) => schema) => {
    let schema = adjust(JSON.parse(readFileSync(path, "utf8")));
    if (partial) schema = withoutRequired(schema);
    ajv.addSchema(schema); // under its $id
    ids.push(schema.$id);
  };
  load(join(SCHEMAS, "schema.json"), (root) => {
    // `EmptyArray` (what `meta` is when empty) says `items: {}, additionalItems: false`;
    // in 2019-09 additionalItems only follows a tuple `items`, so it is ignored there
    // (strict mode refuses a keyword that does nothing) and any array would pass. Its
    // name and its TypeScript type `[]` mean empty: `maxItems: 0` says so. Stricter than
    // written, never looser.
    const { additionalItems, items, ...emptyArray } = root.definitions.EmptyArray;
    root.definitions.EmptyArray = { ...emptyArray, maxItems: 0 };
    return root;
  });
  const walk = (directory) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".json")) load(path);
    }
  };
  walk(join(SCHEMAS, "schemas"));
  // Compile every file now: a schema Ajv cannot read fails here, not halfway through.
  for (const id of ids) ajv.getSchema(id);
  return { ajv, count: ids.length };
}

function withoutRequired(schema) {
  if (Array.isArray(schema)) return schema.map(withoutRequired);
  if (schema === null || typeof schema !== "object") return schema;
  return Object.fromEntries(
    Object.entries(schema)
      // `required` the keyword is a list of names; a property called "required" is a schema.
      .filter(([key, value]) => !(key === "required" && Array.isArray(value)))
      .map(([key, value]) => [key, withoutRequired(value)]),
  );
}

// Which schema a body must satisfy: WordPress's route → the collection's and the item's
// schema file (schemas/rest-api/…). Errors (any status >= 400) satisfy error.json.
const ROUTE_SCHEMAS = [
  ["posts", "collections/posts.json", "post.json"],
  ["categories", "collections/categories.json", "category.json"],
  ["tags", "collections/tags.json", "tag.json"],
  ["users", "collections/users.json", "user.json"],
  ["comments", "collections/comments.json", "comment.json"],
  ["media", "collections/media.json", "attachment.json"],
];

function schemaFor(exchange) {
  if (exchange.status >= 400) return "schemas/rest-api/error.json";
  const path = new URL(exchange.url).pathname.replace(/\/$/, "");
  for (const [route, collection, item] of ROUTE_SCHEMAS) {
    if (path === `/wp-json/wp/v2/${route}`) {
      // A POST to a collection creates one item and answers with it.
      return `schemas/rest-api/${exchange.method === "POST" ? item : collection}`;
    }
    if (new RegExp(`^/wp-json/wp/v2/${route}/\\d+$`).test(path)) {
      return `schemas/rest-api/${item}`;
    }
  }
  return null; // the index (/wp-json/): wp-json-schemas has no schema for it
}

function validateExchanges({ full, partial }, exchanges) {
  return exchanges.map((exchange) => {
    const entry = { method: exchange.method, url: exchange.url, status: exchange.status };
    if (exchange.method === "HEAD") return { ...entry, schema: null, reason: "HEAD: no body" };
    let body;
    try {
      body = JSON.parse(exchange.body);
    } catch {
      const start = exchange.body.slice(0, 200);
      return { ...entry, schema: null, errors: [`body is not JSON: ${start}`] };
    }
    const schema = schemaFor(exchange);
    if (schema === null) return { ...entry, schema: null, reason: "no schema for this route" };
    const fields = new URL(exchange.url).searchParams.has("_fields");
    const validate = (fields ? partial : full).getSchema(SCHEMA_BASE + schema);
    const valid = validate(body);
    const errors = valid
      ? []
      : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message} (${e.schemaPath})`);
    return { ...entry, schema, partial: fields, errors };
  });
}

// --- the wire: every exchange either client makes --------------------------------------

const exchanges = [];

/**
 * wpapi sends with superagent and hands back only the parsed body (plus `_paging`): its
 * every answer, with status and headers, is recorded where superagent ends a request.
 */
function recordSuperagent(client) {
  const end = superagent.Request.prototype.end;
  superagent.Request.prototype.end = function (callback) {
    return end.call(this, (err, res) => {
      const response = res || (err && err.response);
      if (response) {
        exchanges.push({
          client,
          method: this.method,
          url: this.url,
          status: response.status,
          headers: { ...response.headers },
          body: response.text ?? "",
        });
      }
      if (callback) callback(err, res);
    });
  };
}

/** api-fetch calls the global fetch: a fetch that records, then answers as it would. */
function recordFetch(client) {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init = {}) => {
    const response = await realFetch(url, init);
    const headers = Object.fromEntries(response.headers.entries());
    exchanges.push({
      client,
      method: (init.method || "GET").toUpperCase(),
      url: String(url),
      status: response.status,
      headers,
      body: await response.clone().text(),
    });
    return response;
  };
}

// --- helpers ----------------------------------------------------------------------------

const failures = [];

/** Run one step; a throw becomes a failure naming the step, and the run goes on. */
async function step(name, action) {
  try {
    return await action();
  } catch (error) {
    const detail = error && error.code ? JSON.stringify(error) : String(error?.stack || error);
    failures.push(`${name}: ${detail}`);
    return undefined;
  }
}

/**
 * A call that must be refused: the error's code, the status its body gives and the
 * status on the wire (of the last exchange: the calls run one at a time).
 */
async function refusal(name, action) {
  return step(name, async () => {
    try {
      await action();
    } catch (error) {
      if (error && typeof error.code === "string") {
        const http_status = exchanges.at(-1).status;
        return { code: error.code, status: error.data?.status, http_status };
      }
      throw error;
    }
    throw new Error("answered without an error");
  });
}

/** What the client handed back for a created comment, with the answer's status. */
function createdFacts(comment) {
  const answer = exchanges.at(-1);
  return (
    comment && {
      http_status: answer.status,
      location: answer.headers.location,
      id: comment.id,
      post: comment.post,
      status: comment.status,
      author_name: comment.author_name,
      fields: Object.keys(comment).sort(),
    }
  );
}

const slugsOf = (items) => (Array.isArray(items) ? items.map((item) => item.slug) : items);
const idsOf = (items) => (Array.isArray(items) ? items.map((item) => item.id) : items);
const pagingRels = (rels) => rels.filter((rel) => rel !== DISCOVERY_REL).sort();

// --- wpapi (node-wpapi) -----------------------------------------------------------------

async function runWpapi(plan, facts) {
  recordSuperagent("wpapi");
  // Discovery as the wpapi documentation starts: the Link rel="https://api.w.org/" header
  // names the API root, whose index gives the routes the client builds its methods from.
  // discover() logs a failure and falls back to its built-in routes: a log is a failure.
  const logged = [];
  const { error: logError, warn: logWarn } = console;
  console.error = console.warn = (...args) => logged.push(args.map(String).join(" "));
  let wp;
  try {
    wp = await WPAPI.discover(`${plan.base_url}/wp-json/`);
  } finally {
    console.error = logError;
    console.warn = logWarn;
  }
  if (logged.length) failures.push(`WPAPI.discover fell back: ${logged.join(" | ")}`);
  facts.discovered_endpoint = wp._options.endpoint;
  facts.discovered_routes = Object.keys(wp._ns["wp/v2"] || {})
    .filter((name) => !name.startsWith("_"))
    .sort();
  const posts = () => wp.posts().perPage(plan.per_page);

  // Pages followed through `_paging.next` (wpapi builds it from the Link header).
  const pages = [];
  let page = await step("posts().perPage()", () => posts());
  while (page && pages.length < 20) {
    pages.push({
      slugs: slugsOf(page),
      total: page._paging?.total,
      total_pages: page._paging?.totalPages,
      links: pagingRels(Object.keys(page._paging?.links || {})),
    });
    const next = page._paging?.next;
    page = next ? await step(`_paging.next of page ${pages.length}`, () => next.get()) : null;
  }
  facts.pages = pages;
  // The same pages asked for by number.
  facts.numbered_pages = [];
  for (let n = 1; n <= (pages[0]?.total_pages || 0); n += 1) {
    facts.numbered_pages.push(slugsOf(await step(`posts().page(${n})`, () => posts().page(n))));
  }

  const all = () => wp.posts().perPage(100);
  const list = async (name, request) => slugsOf(await step(name, request));
  facts.category_slugs = await list("categories(child)", () => all().categories(plan.category_id));
  facts.parent_category_slugs = await list("categories(parent)", () =>
    all().categories(plan.parent_category_id),
  );
  facts.parent_with_children_slugs = await list("categories {terms, include_children}", () =>
    all().param("categories", { terms: [plan.parent_category_id], include_children: true }),
  );
  facts.tag_slugs = await list("tags(id)", () => all().tags(plan.tag_id));
  facts.author_slugs = await list("author(id)", () => all().author(plan.author_id));
  facts.search_slugs = await list("search()", () => all().search(plan.search));
  facts.after_slugs = await list("after()", () => all().after(plan.between));
  facts.before_slugs = await list("before()", () => all().before(plan.between));
  facts.title_order_slugs = await list("order().orderby(title)", () =>
    all().order("asc").orderby("title"),
  );
  facts.include_slugs = await list("include()", () => all().include(plan.include_ids));
  facts.exclude_slugs = await list("exclude()", () => all().exclude(plan.include_ids));
  facts.slug_lookup = await list("slug()", () => wp.posts().slug(plan.slug));
  facts.draft_slug_lookup = await list("slug(draft)", () => wp.posts().slug(plan.draft_slug));

  const post = await step("posts().id().embed()", () => wp.posts().id(plan.embed_post_id).embed());
  if (post) {
    const embedded = post._embedded || {};
    facts.embed = {
      relations: Object.keys(embedded).sort(),
      author_names: (embedded.author || []).map((author) => author.name),
      term_names: (embedded["wp:term"] || []).map((terms) => terms.map((term) => term.name)),
      featured_media: (embedded["wp:featuredmedia"] || []).map((media) => ({
        id: media.id,
        alt: media.alt_text,
        source_url: media.source_url,
      })),
      reply_ids: (embedded.replies || []).flat().map((comment) => comment.id),
    };
  }

  const thread = async (name) =>
    idsOf(await step(name, () => wp.comments().forPost(plan.comment_post_id).perPage(100)));
  facts.comment_ids = await thread("comments().forPost()");
  facts.created = createdFacts(
    await step("comments().create()", () =>
      wp.comments().create({ post: plan.comment_post_id, ...plan.new_comment }),
    ),
  );
  facts.comment_ids_after_post = await thread("comments().forPost() after posting");
  if (facts.created) {
    facts.created_direct = await refusal("comments().id(created)", () =>
      wp.comments().id(facts.created.id),
    );
  }
  facts.pending_direct = await refusal("comments().id(pending)", () =>
    wp.comments().id(plan.pending_comment_id),
  );

  // Every other route once, listed and by id.
  const one = async (name, request) => (await step(name, request))?.slug;
  facts.categories = await list("categories()", () => wp.categories().perPage(100));
  facts.category = await one("categories().id()", () => wp.categories().id(plan.category_id));
  facts.tags = await list("tags()", () => wp.tags().perPage(100));
  facts.tag = await one("tags().id()", () => wp.tags().id(plan.tag_id));
  facts.users = await list("users()", () => wp.users().perPage(100));
  facts.user = await one("users().id()", () => wp.users().id(plan.author_id));
  facts.media = idsOf(await step("media()", () => wp.media().perPage(100)));
  facts.media_item = (await step("media().id()", () => wp.media().id(plan.media_id)))?.id;
  facts.comment = (await step("comments().id()", () => wp.comments().id(plan.comment_id)))?.id;

  facts.errors = {
    missing: await refusal("posts().id(999999)", () => wp.posts().id(999999)),
    draft: await refusal("posts().id(draft)", () => wp.posts().id(plan.draft_id)),
    zero: await refusal("posts().perPage(0)", () => wp.posts().perPage(0)),
    beyond: await refusal("posts().page(past the last)", () => posts().page(100)),
  };
}

// --- @wordpress/api-fetch ---------------------------------------------------------------

async function runApiFetch(plan, facts) {
  recordFetch("api-fetch");
  // In a browser WordPress sets the root from wpApiSettings; here the root URL middleware
  // does it. api-fetch reads `window` only when a call has neither url nor path, and
  // `navigator.onLine` only when fetch itself fails: Node 20 has no `navigator`, so a
  // refused connection would surface as a TypeError instead of api-fetch's fetch_error.
  globalThis.navigator ??= { onLine: true };
  apiFetch.use(apiFetch.createRootURLMiddleware(`${plan.base_url}/wp-json/`));
  const get = (name, path) => step(name, () => apiFetch({ path }));
  const query = (params) => new URLSearchParams(params).toString();

  // Pages read with `parse: false`, as the block editor does for totals: the Response's
  // X-WP-Total, X-WP-TotalPages and Link, then the next page by Link rel="next".
  const pages = [];
  let options = { path: `/wp/v2/posts?per_page=${plan.per_page}`, parse: false };
  while (options && pages.length < 20) {
    const response = await step(`posts page ${pages.length + 1}`, () => apiFetch(options));
    if (!response) break;
    const link = response.headers.get("Link") || "";
    pages.push({
      slugs: slugsOf(await response.json()),
      total: Number(response.headers.get("X-WP-Total")),
      total_pages: Number(response.headers.get("X-WP-TotalPages")),
      links: pagingRels([...link.matchAll(/<[^>]*>\s*;\s*rel="([^"]+)"/g)].map((m) => m[1])),
    });
    const next = /<([^>]+)>;\s*rel="next"/.exec(link);
    options = next ? { url: next[1], parse: false } : null;
  }
  facts.pages = pages;
  // per_page=-1: api-fetch's fetchAllMiddleware asks per_page=100 and follows Link.
  facts.all_slugs = slugsOf(await get("posts per_page=-1", "/wp/v2/posts?per_page=-1"));
  facts.category_slugs = slugsOf(
    await get("posts categories", `/wp/v2/posts?${query({ categories: plan.category_id })}`),
  );
  facts.search_slugs = slugsOf(
    await get("posts search", `/wp/v2/posts?${query({ search: plan.search })}`),
  );
  facts.slug_lookup = slugsOf(
    await get("posts slug", `/wp/v2/posts?${query({ slug: plan.slug })}`),
  );
  facts.fields = await get("posts _fields", "/wp/v2/posts?_fields=id,slug&per_page=1");

  const post = await get("post by id", `/wp/v2/posts/${plan.embed_post_id}`);
  facts.post = post && { id: post.id, slug: post.slug, title: post.title?.rendered };
  const embedded = await get(
    "post _embed",
    `/wp/v2/posts/${plan.embed_post_id}?_embed=author,wp:term`,
  );
  facts.embed_relations = embedded && Object.keys(embedded._embedded || {}).sort();

  const thread = `/wp/v2/comments?${query({ post: plan.comment_post_id, per_page: 100 })}`;
  facts.comment_ids = idsOf(await get("comments of the post", thread));
  const comment = (data) => apiFetch({ path: "/wp/v2/comments", method: "POST", data });
  facts.created = createdFacts(
    await step("create a comment", () =>
      comment({ post: plan.comment_post_id, ...plan.new_comment }),
    ),
  );
  facts.comment_ids_after_post = idsOf(await get("comments after posting", thread));

  facts.errors = {
    missing: await refusal("post 999999", () => apiFetch({ path: "/wp/v2/posts/999999" })),
    zero: await refusal("posts per_page=0", () => apiFetch({ path: "/wp/v2/posts?per_page=0" })),
    anonymous: await refusal("comment without author", () =>
      comment({ post: plan.comment_post_id, content: "No name given." }),
    ),
  };
}

// --- main -------------------------------------------------------------------------------

const [planPath, reportPath] = process.argv.slice(2);
if (!planPath || !reportPath) {
  console.error("usage: node wordpress_clients.mjs <plan.json> <report.json>");
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planPath, "utf8"));
const run = { wpapi: runWpapi, "api-fetch": runApiFetch }[plan.client];
if (!run) {
  console.error(`unknown client ${plan.client}`);
  process.exit(2);
}
const full = schemaValidator();
const partial = schemaValidator({ partial: true });
const facts = {};
await step(plan.client, () => run(plan, facts));

const validations = validateExchanges({ full: full.ajv, partial: partial.ajv }, exchanges);
for (const { method, url, status, schema, errors } of validations) {
  if (errors?.length) {
    failures.push(`${method} ${url} (${status}) against ${schema}: ${errors.join("; ")}`);
  }
}
const discovery = `<${plan.base_url}/wp-json/>; rel="${DISCOVERY_REL}"`;
for (const { method, url, status, headers } of exchanges) {
  if (!(headers.link || "").includes(discovery)) {
    failures.push(`${method} ${url} (${status}): no ${discovery} in Link: ${headers.link}`);
  }
}
const report = {
  client: plan.client,
  schema_files: full.count,
  facts,
  exchanges,
  validations,
  failures,
};
writeFileSync(reportPath, JSON.stringify(report, null, 1));
if (failures.length) {
  console.error(`${failures.length} failure(s):\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
const checked = validations.filter((v) => v.schema).length;
console.log(`${plan.client}: ${exchanges.length} exchanges, ${checked} bodies valid`);
