import { defineControl, maps } from "../check.js";
import { evalParams, type ParamRule, runtimeParams } from "../cmdline.js";

const RULES: ParamRule[] = [
  { name: "slab_nomerge", anyOf: ["slab_nomerge", "slab_nomerge=yes"] },
  { name: "page_alloc.shuffle", anyOf: ["page_alloc.shuffle=1"] },
  { name: "pti", anyOf: ["pti=on"] },
  { name: "init_on_free", anyOf: ["init_on_free=1", "page_poison=on", "page_poison=1"] },
];

/** R8's memory options: no slab merging, randomised page allocator, page-table isolation, pages wiped on free. */
export const control = defineControl({
  id: "kernel-memory-params",
  title: "Kernel memory hardening parameters (slab_nomerge, page_alloc.shuffle, pti, init_on_free)",
  severity: "medium",
  level: "intermediary",
  platforms: ["nixos"],
  mappings: maps({ nis2: ["21.2.e"], dora: ["Art.9"], iso27001: ["A.8.9"], "anssi-bp028": ["R8"] }),
  eval: (facts) => evalParams(facts, RULES),
  runtime: (report) => runtimeParams(report, RULES),
  remediation:
    'boot.kernelParams = [ "slab_nomerge" "page_alloc.shuffle=1" "pti=on" "init_on_free=1" ]; (the NixOS hardened profile sets most of them)',
});
