/** /api/v1/releases: immutable, content-addressed release manifests; list, show, diff, delete when unused. */
import type { ReleaseManifest } from "../../schemas/generated/release-manifest.js";
import { decodeCursor, encodeCursor, PAGE_QUERY, pageSize, readJson } from "../http/input.js";
import { Resource } from "../http/resource.js";
import { serviceContext } from "../machines/index.js";
import { createRelease } from "../services/createRelease.js";
import { deleteRelease } from "../services/deleteRelease.js";
import { diffReleases, getRelease, listReleases } from "./queries.js";

const summary = {
  type: "object",
  required: ["id", "sha256", "createdAt", "hosts"],
  properties: {
    id: { type: "string" },
    sha256: { type: "string" },
    createdAt: { type: "string", format: "date-time" },
    createdBy: { type: "string" },
    source: {},
    hosts: {
      type: "array",
      items: {
        type: "object",
        properties: { host: { type: "string" }, toplevel: { type: "string" }, failing: { type: "integer" } },
      },
    },
  },
};
const detail = {
  allOf: [summary, { type: "object", properties: { manifest: { $ref: "release-manifest.schema.json" } } }],
};

export const releasesResource = new Resource("releases", "Immutable, content-addressed releases")
  .op(
    {
      id: "releases.create",
      method: "post",
      path: "/releases",
      summary: "Record a release manifest (201 new, 200 when the same manifest exists already)",
      access: "operate",
      body: "release-manifest",
      responses: [
        { status: 201, description: "created", schema: detail },
        { status: 200, description: "this manifest was recorded before", schema: detail },
      ],
    },
    async (c) => {
      const input = await readJson<ReleaseManifest>(c, "release-manifest");
      const { release, created } = createRelease({ ctx: serviceContext(c), input });
      return c.json(release, created ? 201 : 200);
    },
  )
  .op(
    {
      id: "releases.list",
      method: "get",
      path: "/releases",
      summary: "Releases, newest first",
      access: "read",
      query: PAGE_QUERY,
      responses: [
        {
          status: 200,
          description: "a page of releases",
          schema: {
            type: "object",
            properties: { items: { type: "array", items: summary }, nextCursor: { type: "string" } },
          },
        },
      ],
    },
    (c) => {
      const page = listReleases(c.get("deps").db, {
        before: decodeCursor<string>(c, "string"),
        limit: pageSize(c),
      });
      return c.json(
        page.next ? { items: page.items, nextCursor: encodeCursor(page.next) } : { items: page.items },
      );
    },
  )
  .op(
    {
      id: "releases.show",
      method: "get",
      path: "/releases/:id",
      summary: "A release with its manifest",
      access: "read",
      responses: [{ status: 200, description: "the release", schema: detail }],
    },
    (c) => c.json(getRelease(c.get("deps").db, c.req.param("id") ?? "")),
  )
  .op(
    {
      id: "releases.diff",
      method: "get",
      path: "/releases/:id/diff/:other",
      summary: "What changes from release :id to release :other (hosts, toplevels, control statuses)",
      access: "read",
      responses: [{ status: 200, description: "the diff" }],
    },
    (c) => {
      const { db } = c.get("deps");
      return c.json(
        diffReleases(getRelease(db, c.req.param("id") ?? ""), getRelease(db, c.req.param("other") ?? "")),
      );
    },
  )
  .op(
    {
      id: "releases.delete",
      method: "delete",
      path: "/releases/:id",
      summary: "Delete a release no desired generation or rollout uses (409 otherwise)",
      access: "operate",
      responses: [{ status: 200, description: "deleted" }],
    },
    (c) => c.json(deleteRelease({ ctx: serviceContext(c), input: { id: c.req.param("id") ?? "" } })),
  );
