/** Every table of the control plane, aggregated for drizzle and drizzle-kit. Add one file per entity and export it here. */
export * from "./agents.js";
export * from "./audit.js";
export * from "./evidence.js";
export * from "./machines.js";
export * from "./releases.js";
export * from "./rollouts.js";
export * from "./tokens.js";
