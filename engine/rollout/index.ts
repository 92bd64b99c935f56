/** The rollout engine: pure planner and state machine. The scheduler in api/ persists and applies. */
export * from "./amounts.js";
export { HostBook } from "./host-book.js";
export * from "./machine.js";
export { hash53, seededOrder } from "./order.js";
export * from "./planner.js";
export * from "./snapshot.js";
export * from "./types.js";
