# The control plane's configuration file (/etc/nixfleet/server.json), rendered from the values of the
# `services.nixfleet-control-plane` options, and the systemd credentials that carry its TLS files.
# Pure: builtins only, evaluated and validated against schemas/server-config.schema.json in tests.
#
# TLS files reach the service through systemd's LoadCredential: the unit runs as a dynamic user that
# cannot read root's key files, so systemd copies each one into /run/credentials/<unit>/ readable by that
# user only, and the rendered file points there. The paths in the options stay strings (never Nix paths),
# so keys never enter the world-readable Nix store.
let
  unit = "nixfleet-control-plane.service";
  credentialsDir = "/run/credentials/${unit}";
  stateDir = "/var/lib/nixfleet-control-plane";

  schema = builtins.fromJSON (builtins.readFile ../../schemas/server-config.schema.json);

  isLoopback = address: address == "localhost" || address == "::1" || builtins.match "127\\..*" address != null;
  # HOST:PORT as the server reads it; an IPv6 address goes in brackets.
  listenString =
    { address, port }:
    if builtins.match ".*:.*" address != null then "[${address}]:${toString port}" else "${address}:${toString port}";

  # The schema's own pattern for HOST:PORT keys, so evaluation refuses what `nixfleet server` would refuse.
  # Nix's POSIX regex engine takes no escaped brackets outside a bracket expression: `\[` becomes `[[]`.
  listenPattern =
    key: builtins.replaceStrings [ "\\[" "\\]" ] [ "[[]" "[]]" ] schema.properties.${key}.pattern;
  listenProblems =
    { key, option, value }:
    if builtins.match (listenPattern key) value == null then
      [
        "${option} renders ${key} = \"${value}\", which the server configuration schema refuses (HOST:PORT, pattern ${listenPattern key}); use a host name or an IP address."
      ]
    else
      [ ];

  dropNulls =
    attrs:
    builtins.removeAttrs attrs (builtins.filter (name: attrs.${name} == null) (builtins.attrNames attrs));

  # Credential name → source path, for the files that are set.
  credentialsOf =
    cfg:
    dropNulls {
      "tls-cert" = if cfg.tls == null then null else cfg.tls.cert;
      "tls-key" = if cfg.tls == null then null else cfg.tls.key;
      "client-ca" = cfg.clientCa;
    };
  credentialPath = name: "${credentialsDir}/${name}";
in
rec {
  inherit unit credentialsDir stateDir;

  knownKeys = builtins.attrNames schema.properties;

  /** systemd LoadCredential entries ("name:path") for the TLS files that are set. */
  loadCredentials =
    cfg:
    map (name: "${name}:${(credentialsOf cfg).${name}}") (builtins.attrNames (credentialsOf cfg));

  /** The server configuration document for `cfg` (the option values of services.nixfleet-control-plane). */
  render =
    cfg:
    dropNulls {
      listen = listenString cfg.listen;
      agentListen = if cfg.agentListen == null then null else listenString cfg.agentListen;
      db = cfg.dbPath;
      tls =
        if cfg.tls == null then
          null
        else
          dropNulls {
            cert = credentialPath "tls-cert";
            key = credentialPath "tls-key";
            clientCa = if cfg.clientCa == null then null else credentialPath "client-ca";
          };
    }
    // cfg.settings;

  /** The TCP ports the service listens on: the API, and the agent listener when there is one. */
  ports = cfg: [ cfg.listen.port ] ++ (if cfg.agentListen == null then [ ] else [ cfg.agentListen.port ]);

  /** What is wrong with `cfg`, as messages that say what to change. */
  problems =
    cfg:
    let
      opt = "services.nixfleet-control-plane";
      unknownSettings = builtins.filter (key: !(builtins.elem key knownKeys)) (builtins.attrNames cfg.settings);
    in
    (
      if builtins.substring 0 (builtins.stringLength stateDir + 1) cfg.dbPath != "${stateDir}/" then
        [
          "${opt}.dbPath = \"${cfg.dbPath}\" is outside ${stateDir}, the only directory the service's dynamic user can write; use a path inside it, e.g. \"${stateDir}/nixfleet.db\"."
        ]
      else
        [ ]
    )
    ++ listenProblems {
      key = "listen";
      option = "${opt}.listen";
      value = listenString cfg.listen;
    }
    ++ (
      if cfg.agentListen == null then
        [ ]
      else
        listenProblems {
          key = "agentListen";
          option = "${opt}.agentListen";
          value = listenString cfg.agentListen;
        }
        ++ (
          if cfg.tls == null || cfg.clientCa == null then
            [
              "${opt}.agentListen is set but ${opt}.tls or ${opt}.clientCa is not: the agent listener admits only clients whose certificate verifies against the client CA; set ${opt}.tls.{cert,key} and ${opt}.clientCa."
            ]
          else
            [ ]
        )
        ++ (
          if cfg.agentListen.port == cfg.listen.port then
            [
              "${opt}.agentListen.port = ${toString cfg.agentListen.port} is also ${opt}.listen.port: the agent listener needs a port of its own."
            ]
          else
            [ ]
        )
    )
    ++ (
      if cfg.clientCa != null && cfg.tls == null then
        [
          "${opt}.clientCa is set but ${opt}.tls is not: agents can only present client certificates over TLS; set ${opt}.tls.{cert,key} too."
        ]
      else
        [ ]
    )
    ++ (
      if cfg.tls == null && !(isLoopback cfg.listen.address) && !(cfg.settings.insecureHttp or false) then
        [
          "${opt}: without ${opt}.tls the API would speak plain HTTP on ${cfg.listen.address}, which is not loopback; set ${opt}.tls.{cert,key} (recommended), or listen on 127.0.0.1 behind a TLS proxy, or accept plain HTTP with ${opt}.settings.insecureHttp = true."
        ]
      else
        [ ]
    )
    ++ map (
      key:
      "${opt}.settings.${key} is not a key of the server configuration (schemas/server-config.schema.json); known keys: ${builtins.concatStringsSep ", " knownKeys}."
    ) unknownSettings;
}
