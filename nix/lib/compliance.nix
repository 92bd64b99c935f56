# The logic behind `nixfleet.compliance`: which frameworks, levels and entity types exist (read from the
# governance policy schema, so Nix and the TypeScript engine cannot disagree) and what is wrong with a
# host's exceptions. Pure: builtins only, evaluated in tests without nixpkgs.
#
# An exception records, next to the host's configuration, that a control is knowingly not met and why.
# It is not a waiver: waivers live in the governance policy with an approver and an expiry the gate
# enforces. An exception is what the host's owner declares at evaluation time; it travels in the facts so
# that reviewers, reports and waivers can refer to it.
let
  policySchema = builtins.fromJSON (builtins.readFile ../../schemas/policy.schema.json);

  isBlank = text: builtins.match "[[:space:]]*" text != null;
  # ISO 8601 calendar date, or a full RFC 3339 date-time (what the policy's expiresAt uses).
  isDate =
    text:
    builtins.match "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?" text
    != null;

  indexed = list: builtins.genList (i: { index = i; value = builtins.elemAt list i; }) (builtins.length list);
  opt = "nixfleet.compliance";
in
rec {
  frameworks = policySchema.properties.frameworks.items.enum;
  anssiLevels = policySchema.properties.anssiLevel.enum;
  nis2Entities = policySchema.properties.nis2Entity.enum;

  /**
    Messages for every exception the host may not declare as it is; each says what to change. An empty
    list means the exceptions are acceptable. `cfg` is the value of nixfleet.compliance.
  */
  problems =
    cfg:
    let
      controls = map (exception: exception.control) cfg.exceptions;
      repeated = builtins.filter (control: builtins.length (builtins.filter (c: c == control) controls) > 1) controls;
      perException = builtins.concatMap (
        { index, value }:
        let
          where = "${opt}.exceptions.${toString index} (control \"${value.control}\")";
        in
        (
          if isBlank value.control then
            [
              "${opt}.exceptions.${toString index}: `control` is empty; name the control the exception is for, e.g. control = \"ssh-no-root-login\"; (the catalog: docs/controls.md; a compliance-check report names each control)."
            ]
          else
            [ ]
        )
        ++ (
          if isBlank value.rationale then
            [
              "${where}: the rationale is empty. An exception needs a reason an auditor can check: write why the control cannot be met on this host and what compensates for it, e.g. rationale = \"Root login over SSH is needed by the backup appliance; restricted to 10.0.0.5 by firewall rule 12.\";"
            ]
          else
            [ ]
        )
        ++ (
          if value.approvedBy != null && isBlank value.approvedBy then
            [ "${where}: `approvedBy` is empty; name who approved the exception, or remove the attribute." ]
          else
            [ ]
        )
        ++ (
          if value.expires != null && !(isDate value.expires) then
            [
              "${where}: expires = \"${value.expires}\" is not a date; write it as YYYY-MM-DD (or an RFC 3339 date-time), e.g. expires = \"2026-12-31\";"
            ]
          else
            [ ]
        )
      ) (indexed cfg.exceptions);
      unique = list: builtins.attrNames (builtins.listToAttrs (map (name: { inherit name; value = null; }) list));
    in
    perException
    ++ map (
      control:
      "${opt}.exceptions declares control \"${control}\" more than once; merge them into one exception with one rationale."
    ) (unique (builtins.filter (c: !(isBlank c)) repeated));

  /** Settings that are legal but probably not what was meant; they become NixOS warnings. */
  warnings =
    cfg:
    (
      if cfg.anssiLevel != null && !(builtins.elem "anssi-bp028" cfg.frameworks) then
        [
          "${opt}.anssiLevel = \"${cfg.anssiLevel}\" has no effect: add \"anssi-bp028\" to ${opt}.frameworks, or remove anssiLevel."
        ]
      else
        [ ]
    )
    ++ (
      if cfg.nis2Entity != null && !(builtins.elem "nis2" cfg.frameworks) then
        [
          "${opt}.nis2Entity = \"${cfg.nis2Entity}\" has no effect: add \"nis2\" to ${opt}.frameworks, or remove nis2Entity."
        ]
      else
        [ ]
    )
    ++ (
      if cfg.exceptions != [ ] && cfg.frameworks == [ ] then
        [ "${opt}.exceptions are declared but ${opt}.frameworks is empty, so no control is selected for this host." ]
      else
        [ ]
    );

  /** The compliance scope of the host as plain data (what the options say, nulls and unset approvals dropped). */
  scope = cfg: {
    inherit (cfg) frameworks;
    anssiLevel = cfg.anssiLevel;
    nis2Entity = cfg.nis2Entity;
    exceptions = map (
      exception:
      builtins.removeAttrs exception (
        builtins.filter (name: exception.${name} == null) (builtins.attrNames exception)
      )
    ) cfg.exceptions;
  };
}
