# The options reference (docs/nix-options.md), generated from the modules' own option declarations.
# The modules are evaluated with the stand-in lib (./standin/lib.nix), which turns mkOption and the
# types into plain data, so this runs without nixpkgs:
#   nix eval --raw --file nix/lib/options-doc.nix markdown > docs/nix-options.md
# (nix/gen-options-doc.sh does exactly that; test/nix/options-doc.test.ts fails when the committed file
# differs from the output.)
let
  lib = import ./standin/lib.nix;
  inherit (builtins)
    attrNames
    concatStringsSep
    concatMap
    isAttrs
    isList
    isString
    isBool
    isInt
    isFloat
    toJSON
    ;

  # What a module may read while only its declarations are wanted: nothing, so any read is a bug here.
  moduleArgs = {
    inherit lib;
    config = throw "options-doc: an option declaration read `config`; give it a defaultText";
    pkgs = throw "options-doc: an option declaration read `pkgs`; give it a defaultText";
    options = { };
  };

  isOption = v: isAttrs v && (v._type or null) == "option";

  # Nix syntax for a value shown in the doc.
  toNix =
    value:
    if isAttrs value && (value._type or null) == "literalExpression" then
      value.text
    else if isAttrs value && (value._type or null) == "literalMD" then
      value.text
    else if value == null then
      "null"
    else if isBool value then
      (if value then "true" else "false")
    else if isInt value || isFloat value then
      toString value
    else if isString value then
      toJSON value
    else if isList value then
      (if value == [ ] then "[ ]" else "[ ${concatStringsSep " " (map toNix value)} ]")
    else if isAttrs value then
      (
        if value == { } then
          "{ }"
        else
          "{ ${concatStringsSep " " (map (name: "${attrName name} = ${toNix value.${name}};") (attrNames value))} }"
      )
    else
      "<function>";
  attrName = name: if builtins.match "[A-Za-z_][A-Za-z0-9_'-]*" name != null then name else toJSON name;

  # The nested types to descend into, with the path segment nixpkgs' manual uses for them.
  subOptionsOf =
    type:
    if type.name == "submodule" then
      {
        segment = [ ];
        options = type.getSubOptions [ ];
      }
    else if type.name == "nullOr" then
      subOptionsOf type.nestedTypes.elemType
    else if type.name == "listOf" then
      (
        let
          inner = subOptionsOf type.nestedTypes.elemType;
        in
        if inner == null then null else inner // { segment = [ "*" ] ++ inner.segment; }
      )
    else if type.name == "attrsOf" then
      (
        let
          inner = subOptionsOf type.nestedTypes.elemType;
        in
        if inner == null then null else inner // { segment = [ "<name>" ] ++ inner.segment; }
      )
    else
      null;

  # Every option below `options` as { loc, declaration }, depth first, in attribute order.
  flatten =
    loc: options:
    concatMap (
      name:
      let
        value = options.${name};
        here = loc ++ [ name ];
      in
      if isOption value then
        [
          {
            loc = here;
            declaration = value;
          }
        ]
        ++ (
          let
            sub = if value ? type then subOptionsOf value.type else null;
          in
          if sub == null then [ ] else flatten (here ++ sub.segment) sub.options
        )
      else
        flatten here value
    ) (attrNames options);

  # A value as Markdown: inline code when it fits on a line, a Nix code block when it does not.
  shown =
    label: text:
    if builtins.match ".*\n.*" text != null then
      "- ${label}:\n\n  ```nix\n  ${builtins.replaceStrings [ "\n" ] [ "\n  " ] text}\n  ```"
    else
      "- ${label}: `${text}`";
  trimEnd =
    text:
    let
      m = builtins.match "(.*[^[:space:]])[[:space:]]*" text;
    in
    if m == null then text else builtins.head m;

  renderOption =
    { loc, declaration }:
    let
      d = declaration;
      lines =
        [
          "### `${concatStringsSep "." loc}`"
          ""
          (trimEnd (d.description or "(no description)"))
          ""
          "- Type: ${if d ? type then d.type.description else "unspecified"}"
        ]
        ++ (
          if d ? defaultText then
            [ (shown "Default" (toNix d.defaultText)) ]
          else if d ? default then
            [ (shown "Default" (toNix d.default)) ]
          else
            [ "- Default: none, must be set" ]
        )
        ++ (if d ? example then [ (shown "Example" (toNix d.example)) ] else [ ])
        ++ (if d.readOnly or false then [ "- Read-only: set by the module, not by you" ] else [ ])
        ++ [ "" ];
    in
    concatStringsSep "\n" lines;

  sections = [
    {
      title = "Host spec (NixOS and nix-darwin)";
      file = "nix/modules/common/host-spec.nix";
      module = ../modules/common/host-spec.nix;
    }
    {
      title = "Agent (NixOS; nix-darwin has the same options, with launchd instead of systemd health checks)";
      file = "nix/modules/nixos/agent.nix, options in nix/modules/common/agent-options.nix";
      module = ../modules/nixos/agent.nix;
    }
    {
      title = "Control plane (NixOS)";
      file = "nix/modules/nixos/control-plane.nix";
      module = ../modules/nixos/control-plane.nix;
    }
    {
      title = "Compliance (NixOS and nix-darwin)";
      file = "nix/modules/common/compliance.nix";
      module = ../modules/common/compliance.nix;
    }
  ];

  renderSection =
    section:
    let
      options = (import section.module moduleArgs).options;
    in
    concatStringsSep "\n" (
      [
        "## ${section.title}"
        ""
        "Declared in `${section.file}`."
        ""
      ]
      ++ map renderOption (flatten [ ] options)
    );
in
{
  inherit toNix flatten;

  /** Every documented option as { name; type; default?; readOnly } (used by the tests). */
  options = concatMap (
    section:
    map (
      { loc, declaration }:
      {
        name = concatStringsSep "." loc;
        type = declaration.type.description or null;
        readOnly = declaration.readOnly or false;
      }
    ) (flatten [ ] (import section.module moduleArgs).options)
  ) sections;

  markdown = concatStringsSep "\n" (
    [
      "# NixFleet NixOS and nix-darwin options"
      ""
      "<!-- Generated by nix/gen-options-doc.sh from the modules' option declarations; do not edit. -->"
      ""
      "Generated from the option declarations of the modules themselves, evaluated with a stand-in for"
      "nixpkgs' `lib` (`nix/lib/standin/lib.nix`), so it is produced and checked for drift without nixpkgs."
      "Durations are in seconds unless the name says `Ms`. See [nix-guide.md](nix-guide.md) for how to use them."
      ""
    ]
    ++ map renderSection sections
  );
}
