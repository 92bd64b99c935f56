/** The four frameworks NixFleet maps controls to, by id. */
import type { Framework, FrameworkId } from "../types.js";
import { anssiBp028 } from "./anssi-bp028.js";
import { dora } from "./dora.js";
import { iso27001 } from "./iso27001.js";
import { nis2 } from "./nis2.js";

export { anssiBp028, dora, iso27001, nis2 };

export const frameworks: Readonly<Record<FrameworkId, Framework>> = {
  nis2,
  dora,
  iso27001,
  "anssi-bp028": anssiBp028,
};
