# The agent's configuration file (/etc/nixfleet/agent.json), rendered from the values of the
# `services.nixfleet-agent` options. Pure: builtins only, no nixpkgs, so it is evaluated and validated
# against schemas/agent-config.schema.json on machines without nixpkgs (test/nix/agent-config.test.ts).
#
# Units: the Nix options speak seconds (the NixOS convention, e.g. `pollInterval = 30`); the file speaks
# milliseconds (the agent's schema). Health checks keep the schema's own field names so that a check written
# for `nixfleet agent` reads the same in Nix.
let
  schema = builtins.fromJSON (builtins.readFile ../../schemas/agent-config.schema.json);
  healthCheckSchema = builtins.fromJSON (builtins.readFile ../../schemas/health-check.schema.json);

  # Keys the agent accepts: `settings` may add any of them, nothing else.
  knownKeys = builtins.attrNames schema.properties;
  healthCheckKinds = healthCheckSchema.properties.kind.enum;
  healthCheckFields = builtins.attrNames healthCheckSchema.properties;

  dropNulls =
    attrs:
    builtins.removeAttrs attrs (builtins.filter (name: attrs.${name} == null) (builtins.attrNames attrs));

  # The fields each kind cannot run without (the agent would reject the check at run time).
  requiredByKind = {
    systemd = [ "unit" ];
    launchd = [ "label" ];
    http = [ "url" ];
    tcp = [
      "host"
      "port"
    ];
    command = [ "command" ];
  };

  # Kinds that make sense on a platform: systemd units do not exist on macOS, launchd jobs not on NixOS.
  kindsFor = {
    nixos = [
      "systemd"
      "http"
      "tcp"
      "command"
    ];
    darwin = [
      "launchd"
      "http"
      "tcp"
      "command"
    ];
  };

  indexed = list: builtins.genList (i: { index = i; value = builtins.elemAt list i; }) (builtins.length list);

  # One health check as the agent reads it: the schema's fields, unset (null) ones left out so the
  # agent's documented defaults apply.
  renderHealthCheck = check: dropNulls (builtins.intersectAttrs (builtins.listToAttrs (map (name: { inherit name; value = null; }) healthCheckFields)) check);

  msPerSecond = 1000;
in
rec {
  inherit knownKeys healthCheckKinds;

  /**
    The agent configuration document for `cfg` (the option values of services.nixfleet-agent) on
    `platform` ("nixos" or "darwin").
  */
  render =
    { cfg, platform }:
    dropNulls {
      inherit (cfg) machineId controlPlaneUrl tags;
      inherit platform;
      pollIntervalMs = cfg.pollInterval * msPerSecond;
      confirmWindowMs = cfg.confirmWindow * msPerSecond;
      cacheUrl = cfg.cacheUrl;
      trustedPublicKeys = cfg.cachePublicKeys;
      tls =
        if cfg.tls == null then
          null
        else
          {
            inherit (cfg.tls) cert key ca;
          };
      tokenFile = cfg.tokenFile;
      stateDir = cfg.stateDir;
      logLevel = cfg.logLevel;
      healthChecks = map renderHealthCheck cfg.healthChecks;
    }
    # `settings` is the escape hatch for the agent's less common keys (jitter, onInconclusive,
    # activationCommand, …); it is applied last, so it also wins over the typed options above.
    // cfg.settings;

  /**
    What is wrong with `cfg` on `platform`, as messages that say what to change; empty when nothing is.
    The modules turn each message into a failed assertion, so `nixos-rebuild` stops before a broken agent
    is deployed.
  */
  problems =
    { cfg, platform }:
    let
      opt = "services.nixfleet-agent";
      unknownSettings = builtins.filter (key: !(builtins.elem key knownKeys)) (builtins.attrNames cfg.settings);
      names = map (check: check.name) cfg.healthChecks;
      duplicateNames = builtins.filter (name: builtins.length (builtins.filter (n: n == name) names) > 1) names;
      checkProblems = builtins.concatMap (
        { index, value }:
        let
          where = "${opt}.healthChecks.${toString index} (\"${value.name}\")";
          missing = builtins.filter (field: (value.${field} or null) == null) (requiredByKind.${value.kind} or [ ]);
        in
        (map (field: "${where} is of kind ${value.kind} and needs `${field}`; set it or change `kind`.") missing)
        ++ (
          if builtins.elem value.kind kindsFor.${platform} then
            [ ]
          else
            [
              "${where} is of kind ${value.kind}, which does not exist on ${platform}; use one of ${builtins.concatStringsSep ", " kindsFor.${platform}}."
            ]
        )
      ) (indexed cfg.healthChecks);
    in
    (
      if builtins.match "[A-Za-z0-9][A-Za-z0-9._-]{0,127}" cfg.machineId == null then
        [
          "${opt}.machineId = \"${cfg.machineId}\" is not a valid machine id: use letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit), the name the machine is registered under on the control plane."
        ]
      else
        [ ]
    )
    ++ (
      if builtins.match "https?://.+" cfg.controlPlaneUrl == null then
        [
          "${opt}.controlPlaneUrl = \"${cfg.controlPlaneUrl}\" must be an http:// or https:// URL of the control plane, e.g. https://fleet.example.org:8443."
        ]
      else
        [ ]
    )
    ++ (
      if builtins.length cfg.tags > schema.properties.tags.maxItems then
        [
          "${opt}.tags has ${toString (builtins.length cfg.tags)} tags; the agent reports at most ${toString schema.properties.tags.maxItems}."
        ]
      else
        [ ]
    )
    ++ map (tag: "${opt}.tags: \"${tag}\" is longer than ${toString schema.properties.tags.items.maxLength} characters; shorten it.") (
      builtins.filter (tag: builtins.stringLength tag > schema.properties.tags.items.maxLength) cfg.tags
    )
    # the control plane files the tags in its inventory (docs/adr/0820): the inventory's tag syntax
    ++ map (tag: "${opt}.tags: \"${tag}\" is not a tag (letters, digits and . _ : = / -, starting with a letter or digit); rename it.") (
      builtins.filter (tag: builtins.match "[A-Za-z0-9][A-Za-z0-9._:=/-]*" tag == null) cfg.tags
    )
    ++ (
      if cfg.tls == null && cfg.tokenFile == null then
        [
          "${opt}: the agent has no credentials; set ${opt}.tls.{cert,key,ca} (mTLS, files from `nixfleet ca issue`) or ${opt}.tokenFile (a file with a bearer token of role agent)."
        ]
      else
        [ ]
    )
    ++ map (
      key:
      "${opt}.settings.${key} is not a key of the agent configuration (schemas/agent-config.schema.json); known keys: ${builtins.concatStringsSep ", " knownKeys}."
    ) unknownSettings
    ++ map (
      name: "${opt}.healthChecks has more than one check named \"${name}\"; give each check its own name."
    ) (builtins.attrNames (builtins.listToAttrs (map (name: { inherit name; value = null; }) duplicateNames)))
    ++ checkProblems;
}
