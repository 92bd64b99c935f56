/** Governance: policy + control status + waivers → gate decision with reasons. Pure: time is an argument. */
export * from "./gate.js";
export * from "./policy.js";
export * from "./time.js";
export * from "./waivers.js";
