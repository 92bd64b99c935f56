/**
 * Every resource of the control plane, in mount order. To add one: create api/<resource>/index.ts exporting a
 * `Resource`, and append it here (see api/README.md). The route table (OpenAPI, security suite) follows.
 */
import { agentsResource } from "./agents/index.js";
import { auditResource } from "./audit/index.js";
import { evidenceResource } from "./evidence/index.js";
import type { Resource } from "./http/resource.js";
import { machinesResource } from "./machines/index.js";
import { policyResource } from "./policy/index.js";
import { releasesResource } from "./releases/index.js";
import { reportsResource } from "./reporting/index.js";
import { rolloutsResource } from "./rollouts/index.js";
import { systemResource } from "./system/index.js";
import { tokensResource } from "./tokens/index.js";
import { waiversResource } from "./waivers/index.js";

export const resources: Resource[] = [
  systemResource,
  machinesResource,
  agentsResource,
  releasesResource,
  evidenceResource,
  auditResource,
  tokensResource,
  rolloutsResource,
  waiversResource,
  policyResource,
  reportsResource,
];
