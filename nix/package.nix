# The `nixfleet` CLI (agent, control plane and every command) as a Nix package, built with nixpkgs'
# buildNpmPackage from this repository's package-lock.json.
#
# npmDepsHash — READ THIS BEFORE THE FIRST BUILD
# buildNpmPackage fetches every npm dependency into a fixed-output derivation whose hash must be known in
# advance. Computing it needs the npm registry, which the machines NixFleet is developed on cannot reach
# from Nix, so nix/npm-deps-hash holds nixpkgs' placeholder (lib.fakeHash, "sha256-AAAA…=") and the first
# build FAILS ON PURPOSE with
#     error: hash mismatch in fixed-output derivation '…-nixfleet-0.1.0-npm-deps.drv':
#              specified: sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
#                 got:    sha256-<the real hash>
# To fill it in (again after every change of package-lock.json), on a machine with network access:
#     nix run nixpkgs#prefetch-npm-deps -- package-lock.json > nix/npm-deps-hash
# or paste the "got:" value from the error above into nix/npm-deps-hash. `bash nix/update-npm-deps-hash.sh`
# does the first and checks the result.
{
  lib,
  buildNpmPackage,
  nodejs_20,
  python3,
  makeWrapper,
  nix,
  openssh,
}:
let
  packageJson = lib.importJSON ../package.json;
  npmDepsHash = lib.removeSuffix "\n" (builtins.readFile ./npm-deps-hash);
in
buildNpmPackage {
  pname = packageJson.name;
  inherit (packageJson) version;
  nodejs = nodejs_20;

  # Only what the build reads: a change to docs, tests or Nix files does not rebuild the CLI.
  src = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.unions [
      ../package.json
      ../package-lock.json
      ../tsconfig.json
      ../tsconfig.build.json
      ../schemas
      ../controls
      ../evidence
      ../engine
      ../agent
      ../api
      ../cli
      ../reports
    ];
  };

  inherit npmDepsHash;

  # better-sqlite3 compiles its bundled SQLite with node-gyp (no prebuilt binary download in the sandbox).
  nativeBuildInputs = [
    python3
    makeWrapper
  ];

  npmBuildScript = "build";

  # npm pack (buildNpmPackage's default install) follows .gitignore, which excludes dist/; install the
  # compiled tree and the production dependencies explicitly instead.
  installPhase = ''
    runHook preInstall
    npm prune --omit=dev --no-save --offline
    mkdir -p $out/lib/nixfleet $out/bin
    cp -r dist node_modules package.json $out/lib/nixfleet/
    # nix (copy, nix-env) and ssh are needed by the agent and by deploy; the host's own come first.
    makeWrapper ${lib.getExe nodejs_20} $out/bin/nixfleet \
      --add-flags $out/lib/nixfleet/dist/cli/main.js \
      --suffix PATH : ${
        lib.makeBinPath [
          nix
          openssh
        ]
      }
    runHook postInstall
  '';

  meta = {
    description = packageJson.description;
    license = lib.licenses.mit;
    mainProgram = "nixfleet";
    platforms = lib.platforms.linux ++ lib.platforms.darwin;
  };
}
