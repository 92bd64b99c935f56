# config → facts: the JSON subset of a NixOS (or nix-darwin) configuration that NixFleet's controls read,
# with NixOS's own nesting and option names, plus nixfleet.meta. Pure: builtins only (no nixpkgs `lib`), so
# it evaluates in tests on hand-shaped configs and inside a real module system alike.
#
#   import ./facts.nix { config = <evaluated config>; meta = { … }; }
#
# meta (all optional): hostName, system, platform, nixosVersion, flakeRevision, tags, collectedAt,
#   toplevel                        a store path, copied as is;
#   includeToplevel = true          read config.system.build.toplevel instead. Off by default: the
#                                   compliance module writes the facts into /etc, which is part of the
#                                   toplevel, so reading it there would be infinite recursion;
#   lockAgeDays                     or lockLastModified + evaluatedAt (epoch seconds; e.g.
#                                   inputs.nixpkgs.lastModified and the CI's clock) to compute it;
#   lockLastModified alone          is copied into nixfleet.meta so that the checker, which has a
#                                   clock, computes lockAgeDays (controls/index.ts: withLockAge).
#
# Robust to partial configs: every option is read with a default, and an option that throws (used but not
# defined, removed options) is treated as absent. Absent options are left out of the facts, never invented;
# an option whose value is null (NixOS's "unset") is kept as null, except inside freeform sets (sysctl, sshd
# settings) where null means "not rendered" and is dropped. Controls read null like absent.
#
# Secrets never enter the facts (docs/adr/0100-facts-shape-and-drift.md). Instead of
# users.users.<n>.{password,initialPassword,hashedPassword,…} the facts carry
# users.users.<n>.hasPlaintextPassword / hasHashedPasswordFile / hashedPasswordScheme ("yescrypt", "locked",
# "empty", …); GRUB users carry hasPassword; backup jobs carry neither repository nor password file;
# substituter URLs lose any user:password@.
{
  config,
  meta ? { },
}:
let
  inherit (builtins)
    attrNames
    elemAt
    filter
    foldl'
    hasAttr
    head
    isAttrs
    isList
    isString
    length
    listToAttrs
    map
    match
    substring
    tail
    tryEval
    ;

  # Marks "nothing to emit"; a plain attrset no config can contain.
  absent = {
    __nixfleetAbsent = true;
  };
  isAbsent = v: isAttrs v && v ? __nixfleetAbsent;

  # Forces a value completely; a throwing value becomes `default`.
  safe =
    default: value:
    let
      r = tryEval (builtins.deepSeq value value);
    in
    if r.success then r.value else default;

  # Walks a path of attribute names (shallowly guarded), or returns `default`.
  walk =
    default: path: set:
    let
      step =
        acc: key:
        if !acc.ok then
          acc
        else
          let
            here = tryEval (isAttrs acc.value && hasAttr key acc.value);
          in
          if here.success && here.value then
            {
              ok = true;
              value = acc.value.${key};
            }
          else
            {
              ok = false;
              value = null;
            };
      r = foldl' step {
        ok = true;
        value = set;
      } path;
    in
    if r.ok then r.value else default;

  splitPath = s: filter isString (builtins.split "\\." s);

  # A leaf option (bool, number, string, list of plain data), fully forced; absent when missing or throwing.
  leaf = path: safe absent (walk absent (splitPath path) config);
  # An attribute-set option, only shallowly read (its members are extracted one by one).
  attrsAt =
    path:
    let
      v = walk { } (splitPath path) config;
      r = tryEval (isAttrs v);
    in
    if r.success && r.value then v else { };
  listAt =
    path:
    let
      v = walk [ ] (splitPath path) config;
      r = tryEval (isList v);
    in
    if r.success && r.value then v else [ ];

  # An attribute-set / list option transformed by f, or absent when the option is missing or throws.
  fromAttrs =
    path: f:
    let
      v = walk absent (splitPath path) config;
      r = tryEval (isAttrs v && !(isAbsent v));
    in
    if r.success && r.value then f v else absent;
  fromList =
    path: f:
    let
      v = walk absent (splitPath path) config;
      r = tryEval (isList v);
    in
    if r.success && r.value then f v else absent;

  setPath =
    path: value: if path == [ ] then value else { ${head path} = setPath (tail path) value; };
  merge =
    a: b:
    a
    // builtins.mapAttrs (
      k: v: if isAttrs v && hasAttr k a && isAttrs a.${k} && !(v ? outPath) then merge a.${k} v else v
    ) b;
  # Builds nested facts from { path = [ … ]; value; } entries, skipping absent values.
  fromEntries =
    entries:
    foldl' (acc: e: if isAbsent e.value then acc else merge acc (setPath e.path e.value)) { } entries;
  option = path: {
    path = splitPath path;
    value = leaf path;
  };
  computed = path: value: {
    path = splitPath path;
    inherit value;
  };

  # Keeps the attributes of a set that are present and not null, each forced safely.
  pick =
    names: set:
    let
      isSet = tryEval (isAttrs set);
    in
    if !(isSet.success && isSet.value) then
      { }
    else
      listToAttrs (
        filter (e: !(isAbsent e.value) && e.value != null) (
          map (name: {
            inherit name;
            value = if hasAttr name set then safe absent set.${name} else absent;
          }) names
        )
      );
  # Applies f to every member; a member whose extraction throws (a broken definition) is left out.
  mapAttrsSafe =
    f: set:
    listToAttrs (
      filter (e: !(isAbsent e.value)) (
        map (name: {
          inherit name;
          value = safe absent (f name set.${name});
        }) (attrNames set)
      )
    );
  mapListSafe = f: list: filter (v: !(isAbsent v)) (map (v: safe absent (f v)) list);
  notNull = set: listToAttrs (filter (e: e.value != null) (map (name: { inherit name; value = safe null set.${name}; }) (attrNames set)));
  startsWith = prefix: s: substring 0 (builtins.stringLength prefix) s == prefix;
  orNull = v: if isAbsent v then null else v;

  # crypt(3) scheme of a hash, from its prefix (the hash itself is dropped). Matches controls/accounts.ts.
  hashScheme =
    h:
    if h == "" then
      "empty"
    else if startsWith "!" h || startsWith "*" h then
      "locked"
    else if startsWith "$y$" h then
      "yescrypt"
    else if startsWith "$gy$" h then
      "gost-yescrypt"
    else if startsWith "$7$" h then
      "scrypt"
    else if startsWith "$2b$" h || startsWith "$2y$" h || startsWith "$2a$" h then
      "bcrypt"
    else if startsWith "$6$" h then
      "sha512crypt"
    else if startsWith "$5$" h then
      "sha256crypt"
    else if startsWith "$1$" h then
      "md5crypt"
    else if startsWith "$" h then
      "unknown"
    else
      "descrypt";

  present = set: name: isAttrs set && hasAttr name set && (safe null set.${name}) != null;

  userFacts =
    name: u:
    let
      hash =
        if present u "hashedPassword" then
          safe null u.hashedPassword
        else if present u "initialHashedPassword" then
          safe null u.initialHashedPassword
        else
          null;
    in
    pick [ "isNormalUser" "isSystemUser" "uid" "group" "extraGroups" ] u
    // {
      hasPlaintextPassword = present u "password" || present u "initialPassword";
      hasHashedPasswordFile = present u "hashedPasswordFile" || present u "passwordFile";
      hashedPasswordScheme = if isString hash then hashScheme hash else null;
      openssh.authorizedKeys.count = length (safe [ ] (walk [ ] [ "openssh" "authorizedKeys" "keys" ] u));
    };

  # Drops "user:password@" from substituter URLs.
  stripUserInfo =
    url:
    let
      m = match "([a-zA-Z0-9+.-]+://)[^@/]*@(.*)" url;
    in
    if m == null then url else elemAt m 0 + elemAt m 1;
  urls = path: let v = leaf path; in if isAbsent v then absent else map stripUserInfo (filter isString v);

  packageName =
    p:
    let
      r = tryEval (
        if isAttrs p then
          (if p ? pname then p.pname else (builtins.parseDrvName (p.name or "unknown")).name)
        else if isString p then
          (builtins.parseDrvName (baseNameOf p)).name
        else
          "unknown"
      );
    in
    if r.success then r.value else "unknown";

  sandboxKeys = [
    "User"
    "Group"
    "DynamicUser"
    "NoNewPrivileges"
    "ProtectSystem"
    "ProtectHome"
    "PrivateTmp"
    "PrivateDevices"
    "ProtectKernelTunables"
    "ProtectKernelModules"
    "ProtectControlGroups"
    "CapabilityBoundingSet"
  ];

  pamServices = [ "sshd" "sudo" "sudo-rs" "login" ];
  pamFacts = listToAttrs (
    map (svc: {
      name = svc;
      value =
        let
          s = walk { } [ "security" "pam" "services" svc ] config;
        in
        pick [ "u2fAuth" "oathAuth" "yubicoAuth" ] s
        // fromEntries [
          {
            path = [ "googleAuthenticator" "enable" ];
            value = safe absent (walk absent [ "googleAuthenticator" "enable" ] s);
          }
          {
            path = [ "duoSecurity" "enable" ];
            value = safe absent (walk absent [ "duoSecurity" "enable" ] s);
          }
        ];
    }) (filter (svc: hasAttr svc (attrsAt "security.pam.services")) pamServices)
  );

  sudoEntries =
    prefix:
    map option [
      "${prefix}.enable"
      "${prefix}.wheelNeedsPassword"
      "${prefix}.execWheelOnly"
      "${prefix}.extraRules"
      "${prefix}.extraConfig"
    ];

  serviceEnables = map (s: option "services.${s}.enable") [
    # unneeded services (controls/catalog/services-minimal.ts)
    "avahi"
    "printing"
    "rpcbind"
    "vsftpd"
    "xinetd"
    "atftpd"
    "tftpd"
    "rsyncd"
    "telepathy"
    "nfs.server"
    "samba"
    "xserver"
    # log forwarders and time daemons
    "rsyslogd"
    "syslog-ng"
    "vector"
    "promtail"
    "fluent-bit"
    "opentelemetry-collector"
    "timesyncd"
    "chrony"
    "ntp"
    "openntpd"
  ];

  # ---- nixfleet.meta -------------------------------------------------------------------------------
  metaOr = name: fallback: if hasAttr name meta then meta.${name} else fallback;
  system = metaOr "system" (
    let
      fromHost = leaf "nixpkgs.hostPlatform.system";
      fromSystem = leaf "nixpkgs.system";
    in
    if !(isAbsent fromHost) then
      fromHost
    else if !(isAbsent fromSystem) then
      fromSystem
    else
      throw "nix/facts.nix: cannot tell the host's system; set nixpkgs.hostPlatform or pass meta.system"
  );
  hostName = metaOr "hostName" (
    let
      h = leaf "networking.hostName";
    in
    if isAbsent h || h == null || h == "" then
      throw "nix/facts.nix: networking.hostName is empty; pass meta.hostName"
    else
      h
  );
  platform = metaOr "platform" (if match ".*-darwin" system != null then "darwin" else "nixos");
  version =
    let
      nixos = leaf "system.nixos.version";
      darwin = leaf "system.darwinVersion";
    in
    metaOr "nixosVersion" (if !(isAbsent nixos) then nixos else darwin);
  toplevel =
    if hasAttr "toplevel" meta then
      meta.toplevel
    else if meta.includeToplevel or false then
      safe absent (toString (walk absent [ "system" "build" "toplevel" ] config))
    else
      absent;
  revision = metaOr "flakeRevision" (leaf "system.configurationRevision");
  lockAgeDays =
    if hasAttr "lockAgeDays" meta then
      meta.lockAgeDays
    else if meta ? lockLastModified && meta ? evaluatedAt then
      # a clock behind the lock's date would give a negative age
      (if meta.evaluatedAt > meta.lockLastModified then meta.evaluatedAt - meta.lockLastModified else 0) / 86400
    else
      absent;
  metaFacts = fromEntries [
    (computed "hostName" hostName)
    (computed "system" system)
    (computed "platform" platform)
    (computed "nixosVersion" version)
    (computed "toplevel" toplevel)
    (computed "flakeRevision" (if revision == null then absent else revision))
    (computed "lockAgeDays" lockAgeDays)
    # Without a clock at evaluation, the checker computes the age from this (controls' withLockAge).
    (computed "lockLastModified" (metaOr "lockLastModified" absent))
    (computed "tags" (metaOr "tags" [ ]))
    (computed "collectedAt" (metaOr "collectedAt" absent))
  ];
in
fromEntries (
  [
    (computed "nixfleet.meta" metaFacts)
    (option "nixfleet.compliance.frameworks")
    (option "nixfleet.compliance.anssiLevel")
    (option "nixfleet.compliance.nis2Entity")
    (option "nixfleet.compliance.exceptions")

    # networking and firewall
    (option "networking.hostName")
    (option "networking.enableIPv6")
    (option "networking.firewall.enable")
    (option "networking.firewall.allowedTCPPorts")
    (option "networking.firewall.allowedUDPPorts")
    (option "networking.firewall.allowedTCPPortRanges")
    (option "networking.firewall.allowedUDPPortRanges")
    (option "networking.applicationFirewall.enable")
    (option "networking.applicationFirewall.enableStealthMode")

    # SSH
    (option "services.openssh.enable")
    (option "services.openssh.ports")
    (option "services.openssh.openFirewall")
    (computed "services.openssh.settings" (fromAttrs "services.openssh.settings" notNull))
    (option "services.openssh.extraConfig")

    # boot chain and kernel
    (option "boot.kernelParams")
    (computed "boot.kernel.sysctl" (fromAttrs "boot.kernel.sysctl" notNull))
    (option "boot.loader.grub.enable")
    (computed "boot.loader.grub.users" (fromAttrs "boot.loader.grub.users" (mapAttrsSafe (n: u: {
        hasPassword =
          present u "hashedPassword"
          || present u "hashedPasswordFile"
          || present u "password"
          || present u "passwordFile";
      }))))
    (option "boot.loader.systemd-boot.enable")
    (option "boot.loader.systemd-boot.editor")
    (option "boot.lanzaboote.enable")
    (option "boot.lanzaboote.settings.editor")
    (computed "boot.initrd.luks.devices" (fromAttrs "boot.initrd.luks.devices" (mapAttrsSafe (n: d: pick [ "device" "allowDiscards" ] d))))
    (option "boot.zfs.requestEncryptionCredentials")
    (option "boot.tmp.useTmpfs")
    (option "boot.tmp.cleanOnBoot")
    (option "boot.tmpOnTmpfs")
    (option "boot.cleanTmpDir")
    (option "security.lockKernelModules")
    (option "security.protectKernelImage")

    # storage
    (computed "fileSystems" (fromAttrs "fileSystems" (mapAttrsSafe (n: fs: pick [ "fsType" "options" "device" ] fs))))
    (computed "swapDevices" (
      fromList "swapDevices" (mapListSafe (s: pick [ "device" "label" ] s // fromEntries [
        {
          path = [ "randomEncryption" "enable" ];
          value = safe absent (walk absent [ "randomEncryption" "enable" ] s);
        }
        {
          path = [ "encrypted" "enable" ];
          value = safe absent (walk absent [ "encrypted" "enable" ] s);
        }
      ]))
    ))

    # accounts (no secrets: see the header)
    (option "users.mutableUsers")
    (computed "users.users" (fromAttrs "users.users" (mapAttrsSafe userFacts)))

    # privilege elevation and MAC
  ]
  ++ sudoEntries "security.sudo"
  ++ sudoEntries "security.sudo-rs"
  ++ [
    (computed "security.wrappers" (fromAttrs "security.wrappers" (mapAttrsSafe (n: w: pick [ "setuid" "setgid" "owner" "group" ] w))))
    (option "security.apparmor.enable")
    (option "security.loginDefs.settings.UMASK")
    (computed "security.pam.services" (if pamFacts == { } then absent else pamFacts))
    (option "security.pam.u2f.enable")
    (option "security.pam.oath.enable")

    # auditing and logging
    (option "security.auditd.enable")
    (option "security.audit.enable")
    (option "security.audit.rules")
    (option "services.journald.storage")
    (option "services.journald.extraConfig")
    (option "services.journald.upload.enable")

    # Nix trust and updates
    (option "nix.settings.require-sigs")
    (computed "nix.settings.substituters" (urls "nix.settings.substituters"))
    (computed "nix.settings.trusted-substituters" (urls "nix.settings.trusted-substituters"))
    (option "nix.settings.trusted-public-keys")
    (option "nix.settings.trusted-users")
    (option "nix.requireSignedBinaryCaches")
    (option "system.autoUpgrade.enable")
    (computed "environment.systemPackages" (fromList "environment.systemPackages" (mapListSafe packageName)))

    # services: sandboxing and backups
    (computed "systemd.services" (fromAttrs "systemd.services" (mapAttrsSafe (
        n: unit:
        pick [ "enable" ] unit
        // {
          serviceConfig = pick sandboxKeys (walk { } [ "serviceConfig" ] unit);
        }
      ))))
    (computed "services.restic.backups" (fromAttrs "services.restic.backups" (mapAttrsSafe (n: b: pick [ "paths" "timerConfig" ] b))))
    (computed "services.borgbackup.jobs" (fromAttrs "services.borgbackup.jobs" (mapAttrsSafe (n: j: pick [ "paths" "startAt" ] j))))

    # nix-darwin system defaults
    (option "system.defaults.screensaver.askForPassword")
    (option "system.defaults.screensaver.askForPasswordDelay")
    (option "system.defaults.loginwindow.GuestEnabled")
    (option "system.defaults.alf.globalstate")
    (option "system.defaults.alf.stealthenabled")
  ]
  ++ serviceEnables
)
