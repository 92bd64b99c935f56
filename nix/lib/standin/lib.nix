# A stand-in for the small part of nixpkgs' `lib` that NixFleet's modules use, as plain data.
#
# nixpkgs cannot be fetched on the machines that build and test NixFleet, so the options reference
# (docs/nix-options.md) and the tests evaluate the real module files with this `lib` instead. It keeps the
# shapes nixpkgs uses where a consumer looks at them:
#   - mkOption returns the declaration with `_type = "option"`;
#   - mkIf / mkMerge / mkOverride return `{ _type = "if" | "merge" | "override"; … }`, exactly the
#     attributes nixpkgs' lib/modules.nix produces (mkDefault is mkOverride 1000, mkForce is mkOverride 50);
#   - a type has `name`, `description` and, for composite types, `nestedTypes`; a submodule type has
#     `getSubOptions`, like nixpkgs' types.
# It does NOT merge definitions, check types or resolve priorities: that is nixpkgs' module system, which is
# only available with nixpkgs. ./eval.nix applies declared defaults and a few checks for tests.
let
  mkType =
    attrs:
    {
      _type = "option-type";
      nestedTypes = { };
      # check: the part of the type check the stand-in evaluator (./eval.nix) performs.
      check = _: true;
    }
    // attrs;

  # A submodule's declarations without a configuration: what nixpkgs' types.submodule getSubOptions gives.
  evalSubmodule =
    module:
    if builtins.isFunction module then
      module {
        lib = self;
        name = "<name>";
        config = throw "the stand-in lib evaluates option declarations only, not config";
      }
    else
      module;

  types = rec {
    str = mkType {
      name = "str";
      description = "string";
      check = builtins.isString;
    };
    nonEmptyStr = mkType {
      name = "nonEmptyStr";
      description = "non-empty string";
      check = v: builtins.isString v && builtins.match "[ \t\n]*" v == null;
    };
    strMatching =
      pattern:
      mkType {
        name = "strMatching ${builtins.toJSON pattern}";
        description = "string matching the pattern ${pattern}";
        check = v: builtins.isString v && builtins.match pattern v != null;
      };
    lines = mkType {
      name = "lines";
      description = "strings concatenated with \"\\n\"";
      check = builtins.isString;
    };
    bool = mkType {
      name = "bool";
      description = "boolean";
      check = builtins.isBool;
    };
    int = mkType {
      name = "int";
      description = "signed integer";
      check = builtins.isInt;
    };
    ints = {
      positive = mkType {
        name = "positiveInt";
        description = "positive integer, meaning >0";
        check = v: builtins.isInt v && v > 0;
      };
      unsigned = mkType {
        name = "unsignedInt";
        description = "unsigned integer, meaning >=0";
        check = v: builtins.isInt v && v >= 0;
      };
      between =
        lowest: highest:
        mkType {
          name = "intBetween";
          description = "integer between ${toString lowest} and ${toString highest} (both inclusive)";
          check = v: builtins.isInt v && v >= lowest && v <= highest;
        };
    };
    port = ints.between 0 65535 // {
      name = "port";
      description = "16 bit unsigned integer; between 0 and 65535 (both inclusive)";
    };
    path = mkType {
      name = "path";
      description = "path";
      check = v: builtins.isPath v || (builtins.isString v && builtins.substring 0 1 v == "/");
    };
    package = mkType {
      name = "package";
      description = "package";
      check = v: builtins.isAttrs v || builtins.isString v;
    };
    anything = mkType {
      name = "anything";
      description = "anything";
    };
    attrs = mkType {
      name = "attrs";
      description = "attribute set";
      check = builtins.isAttrs;
    };
    enum =
      values:
      mkType {
        name = "enum";
        description = "one of ${builtins.concatStringsSep ", " (map builtins.toJSON values)}";
        check = v: builtins.elem v values;
        functor.payload = values;
      };
    nullOr =
      elemType:
      mkType {
        name = "nullOr";
        description = "null or ${elemType.description}";
        nestedTypes = { inherit elemType; };
        check = v: v == null || elemType.check v;
      };
    listOf =
      elemType:
      mkType {
        name = "listOf";
        description = "list of ${elemType.description}";
        nestedTypes = { inherit elemType; };
        check = builtins.isList;
      };
    attrsOf =
      elemType:
      mkType {
        name = "attrsOf";
        description = "attribute set of ${elemType.description}";
        nestedTypes = { inherit elemType; };
        check = builtins.isAttrs;
      };
    either =
      left: right:
      mkType {
        name = "either";
        description = "${left.description} or ${right.description}";
        nestedTypes = { inherit left right; };
        check = v: left.check v || right.check v;
      };
    oneOf =
      alternatives:
      mkType {
        name = "oneOf";
        description = builtins.concatStringsSep " or " (map (t: t.description) alternatives);
        check = v: builtins.any (t: t.check v) alternatives;
      };
    submodule =
      module:
      mkType {
        name = "submodule";
        description = "submodule";
        check = builtins.isAttrs;
        getSubOptions = _prefix: (evalSubmodule module).options or { };
        # Free-form submodules (freeformType) accept attributes they do not declare.
        freeformType = (evalSubmodule module).freeformType or null;
      };
  };

  mkOverride = priority: content: {
    _type = "override";
    inherit priority content;
  };

  self = {
    inherit types mkOverride;
    mkOption = declaration: declaration // { _type = "option"; };
    mkEnableOption =
      name:
      self.mkOption {
        type = types.bool;
        default = false;
        example = true;
        description = "Whether to enable ${name}.";
      };
    literalExpression = text: {
      _type = "literalExpression";
      inherit text;
    };
    literalMD = text: {
      _type = "literalMD";
      inherit text;
    };
    mkIf = condition: content: {
      _type = "if";
      inherit condition content;
    };
    mkMerge = contents: {
      _type = "merge";
      inherit contents;
    };
    mkDefault = mkOverride 1000;
    mkForce = mkOverride 50;
    mkOptionDefault = mkOverride 1500;

    # The plain functions the modules use, with nixpkgs' semantics.
    optional = cond: value: if cond then [ value ] else [ ];
    optionals = cond: values: if cond then values else [ ];
    optionalAttrs = cond: attrs: if cond then attrs else { };
    concatStringsSep = builtins.concatStringsSep;
    mapAttrs = builtins.mapAttrs;
    filterAttrs =
      pred: attrs:
      builtins.listToAttrs (
        builtins.concatMap (
          name:
          if pred name attrs.${name} then
            [
              {
                inherit name;
                value = attrs.${name};
              }
            ]
          else
            [ ]
        ) (builtins.attrNames attrs)
      );
    escapeShellArgs = args: builtins.concatStringsSep " " (map self.escapeShellArg args);
    escapeShellArg =
      arg:
      let
        s = toString arg;
      in
      if builtins.match "[[:alnum:],._+:@%/=-]+" s != null then
        s
      else
        "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] s}'";
  };
in
self
