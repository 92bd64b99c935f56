#!/usr/bin/env bash
# Regenerates the example facts from the Nix fixtures (nix/tests/fixtures/*.nix) through nix/facts.nix, with
# the real nix-instantiate. nix/tests/facts.test.ts fails when these files differ from what this produces.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/nix-env.sh
facts() {
  nix-instantiate --eval --strict --json \
    -E "let f = import ./nix/tests/fixtures/$1.nix; in import ./nix/facts.nix { inherit (f) config meta; }"
}
facts hardened >/tmp/nixfleet-example-hardened.json
facts insecure >/tmp/nixfleet-example-insecure.json
facts database >/tmp/nixfleet-example-database.json
facts darwin >/tmp/nixfleet-example-darwin.json
node --input-type=module -e '
  import { readFileSync, writeFileSync } from "node:fs";
  const read = (n) => JSON.parse(readFileSync(`/tmp/nixfleet-example-${n}.json`, "utf8"));
  const write = (file, value) => writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
  const hosts = { hardened: read("hardened"), insecure: read("insecure"), database: read("database"), darwin: read("darwin") };
  write("examples/fleet/hardened.json", hosts.hardened);
  write("examples/fleet/insecure.json", hosts.insecure);
  const fleet = {};
  for (const facts of Object.values(hosts)) fleet[facts.nixfleet.meta.hostName] = facts;
  write("examples/fleet/fleet.json", fleet);
'
# The project formatter (Biome) owns the layout of committed JSON.
npx biome format --write examples/fleet/hardened.json examples/fleet/insecure.json examples/fleet/fleet.json >/dev/null
echo "examples/fleet: hardened.json insecure.json fleet.json regenerated"
