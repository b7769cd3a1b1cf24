// A frontend's first page, written against the client openapi-typescript generates from
// the live schema (schema.d.ts) and openapi-fetch. `tsc --noEmit` checks it against the
// types; node runs it against the server (BASE_URL) and prints one JSON line of facts.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const baseUrl = process.env.BASE_URL!;
const category = process.env.CATEGORY!;
const api = createClient<paths>({ baseUrl });

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const facts: Record<string, unknown> = {};

// Articles in a category, two per page, following `next` to the end.
let page = 1;
const listed: string[] = [];
for (;;) {
  const { data, error } = await api.GET("/api/v1/articles/", {
    params: { query: { category, page_size: 2, page, ordering: ["-published_at", "title"] } },
  });
  check(!error && data !== undefined, `list page ${page}: ${JSON.stringify(error)}`);
  listed.push(...data.results.map((article) => article.slug));
  if (!data.next) break;
  page += 1;
}
facts.listed = listed;

// One article.
const { data: detail, error: detailError } = await api.GET("/api/v1/articles/{slug}/", {
  params: { path: { slug: listed[0] } },
});
check(!detailError && detail !== undefined, "detail");
facts.detail_title = detail.title;
facts.comments_open = detail.comments_open;
// Its lead image (nullable in the schema: the compiler makes us check).
check(detail.lead_image !== null, "lead image");
facts.lead_alt = detail.lead_image.alt;
facts.lead_srcset = detail.lead_image.srcset;

// The same with its category embedded (breadcrumbs: the path's names), and only the
// fields a teaser needs.
const { data: embedded } = await api.GET("/api/v1/articles/{slug}/", {
  params: { path: { slug: listed[0] }, query: { expand: ["category", "author"] } },
});
check(embedded !== undefined, "expanded detail");
facts.breadcrumbs = (embedded.category?.breadcrumbs ?? []).map((crumb) => crumb.name);
const { data: teasers } = await api.GET("/api/v1/articles/", {
  params: { query: { category, fields: ["title", "url"], page_size: 1 } },
});
check(teasers !== undefined, "teasers");
facts.teaser_fields = Object.keys(teasers.results[0]);

// The frontend's own path of the article (its `url`) resolves to its detail.
const found = await api.GET("/api/v1/articles/by-path/", {
  params: { query: { path: new URL(detail.url).pathname } },
});
facts.by_path_url = found.response.url;

// Its thread in two sorts, following cursors.
for (const sort of ["oldest", "newest"] as const) {
  const seen: number[] = [];
  let cursor: string | undefined;
  for (;;) {
    const { data, error } = await api.GET("/api/v1/articles/{slug}/comments/", {
      params: { path: { slug: listed[0] }, query: { sort, page_size: 2, cursor } },
    });
    check(!error && data !== undefined, `thread ${sort}`);
    facts.thread_total = data.comment_count;
    seen.push(...data.results.map((comment) => comment.id));
    if (!data.next) break;
    cursor = new URL(data.next).searchParams.get("cursor") ?? undefined;
  }
  facts[`thread_${sort}`] = seen;
}

// A comment: accepted (201 published, 202 held); then the same reader again at once.
const body = {
  author_name: "Type Script",
  author_email: "ts-reader@example.com",
  body: "Posted by the generated TypeScript client.",
};
const posted = await api.POST("/api/v1/articles/{slug}/comments/", {
  params: { path: { slug: listed[0] } },
  body,
});
facts.post_status = posted.response.status;
facts.post_status_word = posted.data?.status;

// A 400 names the field.
const invalid = await api.POST("/api/v1/articles/{slug}/comments/", {
  params: { path: { slug: listed[0] } },
  body: { ...body, author_email: "not an address", body: "Another one." },
});
facts.invalid_status = invalid.response.status;
facts.invalid_fields = Object.keys(invalid.error ?? {});

// Too fast: 429 with Retry-After.
const again = await api.POST("/api/v1/articles/{slug}/comments/", {
  params: { path: { slug: listed[0] } },
  body: { ...body, body: "And again, at once." },
});
facts.again_status = again.response.status;
facts.again_retry_after = again.response.headers.get("Retry-After");

console.log(JSON.stringify(facts));
