# A small stand-in for nixpkgs' module system, good enough to evaluate NixFleet's own modules in tests
# without nixpkgs. Given our modules (which declare options) and "user" modules (host files, mkHost's
# injected module, test fixtures; they only define values), it
#   - merges the user definitions (attribute sets recursively, lists concatenated, mkOverride priorities
#     honoured: mkForce 50 < plain 100 < mkDefault 1000 < option default), resolving mkIf / mkMerge;
#   - gives every declared option its value: the definition, else the declared default, else an error
#     "used but not defined", descending into submodules, lists and attribute sets of submodules;
#   - checks each value against the stand-in type's `check` and rejects undeclared attributes inside our
#     namespaces (`nixfleet.*`, `services.<name>`), like the module system's "option does not exist",
#     and a definition of a read-only option that has a default;
#   - resolves our modules' `config` sections (mkIf on their enable options) into the final config. Our
#     modules read the user's definitions and the option values; they do not see each other's
#     contributions (e.g. a port another NixFleet module opened), unlike under nixpkgs.
# What it does not do: the other NixOS modules (their options and defaults do not exist here, so an
# undeclared value like services.openssh.enable is passed through as the user wrote it), type merging,
# `apply`, and evaluating a system. That needs nixpkgs.
{
  lib ? import ./lib.nix,
}:
let
  inherit (builtins)
    attrNames
    isAttrs
    isList
    isFunction
    foldl'
    concatStringsSep
    ;

  isOption = v: isAttrs v && (v._type or null) == "option";
  isOverride = v: isAttrs v && (v._type or null) == "override";
  isLeafValue = v: !(isAttrs v) || (v.type or null) == "derivation" || (v ? _type && !(isOverride v));
  priorityOf = v: if isOverride v then v.priority else 100;
  unwrap = v: if isOverride v then unwrap v.content else v;
  showLoc = loc: concatStringsSep "." loc;

  absent = {
    _type = "standin-absent";
  };
  isAbsent = v: isAttrs v && (v._type or null) == "standin-absent";

  # mkIf / mkMerge / mkOverride resolved, deeply; what a false mkIf guarded disappears.
  resolve =
    v:
    if isAttrs v && (v._type or null) == "if" then
      (if v.condition then resolve v.content else absent)
    else if isAttrs v && (v._type or null) == "merge" then
      foldl' mergeDefinitions { } (builtins.filter (x: !(isAbsent x)) (map resolve v.contents))
    else if isOverride v then
      (
        let
          inner = resolve v.content;
        in
        if isAbsent inner then absent else v // { content = inner; }
      )
    else if isAttrs v && !(isLeafValue v) then
      lib.filterAttrs (_: x: !(isAbsent x)) (builtins.mapAttrs (_: resolve) v)
    else
      v;

  # Two definitions of one location, as nixpkgs merges them for the common types.
  mergeDefinitions =
    a: b:
    if isAbsent a then
      b
    else if isAbsent b then
      a
    else if priorityOf a < priorityOf b then
      a
    else if priorityOf b < priorityOf a then
      b
    else
      let
        x = unwrap a;
        y = unwrap b;
        merged =
          if isList x && isList y then
            x ++ y
          else if isAttrs x && isAttrs y && !(isLeafValue x) && !(isLeafValue y) then
            builtins.zipAttrsWith (_: values: foldl' mergeDefinitions (builtins.head values) (builtins.tail values)) [
              x
              y
            ]
          else
            y;
      in
      if isOverride a then a // { content = merged; } else merged;

  # A definition with every override wrapper stripped, for values no option of ours declares.
  clean =
    v:
    let
      u = unwrap v;
    in
    if isAttrs u && !(isLeafValue u) then builtins.mapAttrs (_: clean) u else u;

  insideOurNamespace = loc: loc != [ ] && (builtins.head loc == "nixfleet" || builtins.length loc >= 2);

  valuesOf =
    {
      options,
      definitions,
      loc,
      freeform ? false,
    }:
    let
      undeclared = builtins.filter (name: !(options ? ${name})) (attrNames definitions);
      declared = builtins.mapAttrs (
        name: declaration:
        let
          here = loc ++ [ name ];
        in
        if isOption declaration then
          valueOf here declaration (definitions ? ${name}) (definitions.${name} or null)
        else
          valuesOf {
            options = declaration;
            definitions = unwrap (definitions.${name} or { });
            loc = here;
          }
      ) options;
      passedThrough = builtins.listToAttrs (
        map (name: {
          inherit name;
          value = clean definitions.${name};
        }) undeclared
      );
    in
    if undeclared != [ ] && !freeform && insideOurNamespace loc then
      throw "The option `${showLoc (loc ++ [ (builtins.head undeclared) ])}' does not exist."
    else
      passedThrough // declared;

  valueOf =
    loc: declaration: defined: definition:
    if defined && (declaration.readOnly or false) && declaration ? default then
      throw "The option `${showLoc loc}' is read-only, but it's set multiple times."
    else if defined && priorityOf definition < 1500 then
      coerce loc declaration.type (unwrap definition)
    else if declaration ? default then
      coerce loc declaration.type declaration.default
    else
      throw "The option `${showLoc loc}' is used but not defined.";

  coerce =
    loc: type: value:
    if type.name == "submodule" then
      (
        if isAttrs value then
          valuesOf {
            options = type.getSubOptions loc;
            definitions = value;
            inherit loc;
            freeform = type.freeformType != null;
          }
        else
          wrongType loc type value
      )
    else if type.name == "nullOr" then
      (if value == null then null else coerce loc type.nestedTypes.elemType value)
    else if type.name == "listOf" then
      (
        if isList value then
          builtins.genList (
            i: coerce (loc ++ [ "[${toString i}]" ]) type.nestedTypes.elemType (unwrap (builtins.elemAt value i))
          ) (builtins.length value)
        else
          wrongType loc type value
      )
    else if type.name == "attrsOf" then
      (
        if isAttrs value then
          builtins.mapAttrs (name: v: coerce (loc ++ [ name ]) type.nestedTypes.elemType (unwrap v)) value
        else
          wrongType loc type value
      )
    else if type.check value then
      value
    else
      wrongType loc type value;

  wrongType =
    loc: type: value:
    throw "A definition for option `${showLoc loc}' is not of type `${type.description}'. Definition value: ${builtins.toJSON value}";

  # Declarations of two modules side by side (e.g. options.nixfleet.hostSpec and options.nixfleet.compliance).
  mergeDeclarations =
    a: b:
    builtins.zipAttrsWith (
      name: values:
      if builtins.length values == 1 then
        builtins.head values
      else if builtins.any isOption values then
        throw "The option `${name}' is declared more than once."
      else
        foldl' mergeDeclarations { } values
    ) [
      a
      b
    ];

  # The modules and everything they import, each file once (modules given as values are kept as they are).
  closure =
    modules:
    map (entry: entry.module) (
      builtins.genericClosure {
        startSet = builtins.genList (i: entryOf "top-${toString i}" (builtins.elemAt modules i)) (builtins.length modules);
        operator =
          entry:
          let
            imports = (callModule (load entry.module) importArgs).imports or [ ];
          in
          builtins.genList (i: entryOf "${entry.key}/${toString i}" (builtins.elemAt imports i)) (builtins.length imports);
      }
    );
  entryOf = fallbackKey: module: {
    key = if builtins.isPath module then toString module else fallbackKey;
    inherit module;
  };
  load = module: if builtins.isPath module || builtins.isString module then import module else module;

  # Reading a module's `imports` must not need its arguments (as in nixpkgs).
  importArgs = {
    inherit lib;
    config = throw "a module's imports may not depend on config";
    pkgs = throw "a module's imports may not depend on pkgs";
    options = throw "a module's imports may not depend on options";
  };

  callModule = module: args: if isFunction module then module args else module;

  configPart =
    evaluated:
    if evaluated ? config || evaluated ? options then
      evaluated.config or { }
    else
      builtins.removeAttrs evaluated [ "imports" ];
in
{
  inherit resolve mergeDefinitions;

  /**
    Evaluates `modules` (paths, attribute sets or functions, as in nixosSystem { modules = …; }). A module
    that declares `options` is one of ours: its declarations are collected and its `config` is resolved
    after the option values. Every other module only defines values. `pkgs` is whatever the modules may
    take from pkgs (stand-in packages; forced only when a value needs one).
    Returns { options, config, assertionsChecked } where assertionsChecked fails like nixpkgs does when an
    assertion fails ("Failed assertions: - …") and is true otherwise.
  */
  evalModules =
    {
      modules,
      pkgs ? { },
    }:
    let
      # Our modules see the user's definitions and the option values, not each other's contributions:
      # the module system interleaves those lazily per option, which this stand-in does not attempt (it
      # would make every `mkIf cfg.enable` depend on itself).
      args = {
        inherit lib pkgs;
        config = clean values;
        options = declarations;
      };
      evaluated = map (m: callModule (load m) args) (closure modules);
      ours = builtins.filter (m: m ? options) evaluated;
      theirs = builtins.filter (m: !(m ? options)) evaluated;
      declarations = foldl' mergeDeclarations { } (map (m: m.options) ours);
      definitions = foldl' mergeDefinitions { } (map (m: resolve (configPart m)) theirs);
      values = valuesOf {
        options = declarations;
        inherit definitions;
        loc = [ ];
      };
      contributions = foldl' mergeDefinitions { } (map (m: resolve (m.config or { })) ours);
      config = clean (mergeDefinitions contributions values);
      failed = map (a: a.message) (builtins.filter (a: !a.assertion) (config.assertions or [ ]));
    in
    {
      options = declarations;
      inherit config;
      # The message format of nixpkgs' nixos/modules/system/activation/top-level.nix.
      assertionsChecked =
        if failed == [ ] then
          true
        else
          throw "\nFailed assertions:\n${concatStringsSep "\n" (map (message: "- ${message}") failed)}";
    };
}
