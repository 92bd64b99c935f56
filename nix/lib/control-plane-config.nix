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

  schemaFile = ../../schemas/server-config.schema.json;
  schema = if builtins.pathExists schemaFile then builtins.fromJSON (builtins.readFile schemaFile) else null;

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

  knownKeys = if schema == null then null else builtins.attrNames schema.properties;

  /** systemd LoadCredential entries ("name:path") for the TLS files that are set. */
  loadCredentials =
    cfg:
    map (name: "${name}:${(credentialsOf cfg).${name}}") (builtins.attrNames (credentialsOf cfg));

  /** The server configuration document for `cfg` (the option values of services.nixfleet-control-plane). */
  render =
    cfg:
    dropNulls {
      listen = {
        host = cfg.listen.address;
        inherit (cfg.listen) port;
      };
      inherit (cfg) dbPath;
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

  /** What is wrong with `cfg`, as messages that say what to change. */
  problems =
    cfg:
    let
      opt = "services.nixfleet-control-plane";
      unknownSettings =
        if knownKeys == null then
          [ ]
        else
          builtins.filter (key: !(builtins.elem key knownKeys)) (builtins.attrNames cfg.settings);
    in
    (
      if builtins.substring 0 (builtins.stringLength stateDir + 1) cfg.dbPath != "${stateDir}/" then
        [
          "${opt}.dbPath = \"${cfg.dbPath}\" is outside ${stateDir}, the only directory the service's dynamic user can write; use a path inside it, e.g. \"${stateDir}/nixfleet.db\"."
        ]
      else
        [ ]
    )
    ++ (
      if cfg.clientCa != null && cfg.tls == null then
        [
          "${opt}.clientCa is set but ${opt}.tls is not: agents can only present client certificates over TLS; set ${opt}.tls.{cert,key} too."
        ]
      else
        [ ]
    )
    ++ map (
      key:
      "${opt}.settings.${key} is not a key of the server configuration (schemas/server-config.schema.json); known keys: ${builtins.concatStringsSep ", " knownKeys}."
    ) unknownSettings;
}
