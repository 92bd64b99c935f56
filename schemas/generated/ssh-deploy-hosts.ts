/* Generated from schemas/ssh-deploy-hosts.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * Hosts file for `nixfleet deploy --hosts FILE` and `nixfleet rollback --hosts FILE` (JSON or YAML): the hosts to reach over ssh, with defaults every host inherits.
 */
export interface SshDeployHosts {
defaults?: SshHostDefaults
hosts: SshHost[]
}
export interface SshHostDefaults {
port?: number
/**
 * private key file (ssh -i)
 */
identity?: string
/**
 * known_hosts file to trust
 */
knownHosts?: string
/**
 * further ssh -o Key=Value options
 */
sshOptions?: string[]
/**
 * Nix profile on the host (default /nix/var/nix/profiles/system)
 */
profile?: string
/**
 * activation command line run on the host; {path} is the store path (default: {path}/bin/switch-to-configuration switch)
 */
activate?: string
/**
 * @maxItems 256
 */
healthChecks?: HealthCheck[]
/**
 * all health checks of a host must finish within this (default 60000)
 */
healthTimeoutMs?: number
}
/**
 * A health check the agent runs after switching a generation.
 */
export interface HealthCheck {
name: string
kind: ("systemd" | "launchd" | "http" | "tcp" | "command")
/**
 * systemd unit (kind systemd)
 */
unit?: string
/**
 * launchd job label (kind launchd)
 */
label?: string
/**
 * URL (kind http)
 */
url?: string
expectStatus?: number
/**
 * regular expression the body must match (kind http)
 */
bodyMatch?: string
insecureTls?: boolean
caFile?: string
/**
 * host (kind tcp)
 */
host?: string
port?: number
/**
 * argv (kind command)
 * 
 * @minItems 1
 */
command?: [string, ...(string)[]]
expectExit?: number
timeoutMs?: number
intervalMs?: number
retries?: number
initialDelayMs?: number
/**
 * consecutive failures that fail the check
 */
failureThreshold?: number
}
export interface SshHost {
/**
 * USER@HOST or USER@HOST:PORT
 */
ssh: string
/**
 * host name in reports and the flake attribute (default: HOST)
 */
name?: string
/**
 * store path to deploy to this host
 */
path?: string
/**
 * flake reference for this host (REF or REF#host)
 */
flake?: string
port?: number
/**
 * private key file (ssh -i)
 */
identity?: string
/**
 * known_hosts file to trust
 */
knownHosts?: string
/**
 * further ssh -o Key=Value options
 */
sshOptions?: string[]
/**
 * Nix profile on the host (default /nix/var/nix/profiles/system)
 */
profile?: string
/**
 * activation command line run on the host; {path} is the store path (default: {path}/bin/switch-to-configuration switch)
 */
activate?: string
/**
 * @maxItems 256
 */
healthChecks?: HealthCheck[]
/**
 * all health checks of a host must finish within this (default 60000)
 */
healthTimeoutMs?: number
}

export const sshDeployHostsSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/ssh-deploy-hosts.schema.json",
  "title": "SshDeployHosts",
  "description": "Hosts file for `nixfleet deploy --hosts FILE` and `nixfleet rollback --hosts FILE` (JSON or YAML): the hosts to reach over ssh, with defaults every host inherits.",
  "type": "object",
  "required": [
    "hosts"
  ],
  "additionalProperties": false,
  "properties": {
    "defaults": {
      "title": "SshHostDefaults",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "port": {
          "type": "integer",
          "minimum": 1,
          "maximum": 65535
        },
        "identity": {
          "type": "string",
          "minLength": 1,
          "description": "private key file (ssh -i)"
        },
        "knownHosts": {
          "type": "string",
          "minLength": 1,
          "description": "known_hosts file to trust"
        },
        "sshOptions": {
          "type": "array",
          "items": {
            "type": "string",
            "pattern": "^[A-Za-z]+=\\S+$"
          },
          "description": "further ssh -o Key=Value options"
        },
        "profile": {
          "type": "string",
          "minLength": 1,
          "description": "Nix profile on the host (default /nix/var/nix/profiles/system)"
        },
        "activate": {
          "type": "string",
          "minLength": 1,
          "description": "activation command line run on the host; {path} is the store path (default: {path}/bin/switch-to-configuration switch)"
        },
        "healthChecks": {
          "type": "array",
          "maxItems": 256,
          "items": {
            "$ref": "health-check.schema.json"
          }
        },
        "healthTimeoutMs": {
          "type": "integer",
          "minimum": 1,
          "description": "all health checks of a host must finish within this (default 60000)"
        }
      }
    },
    "hosts": {
      "type": "array",
      "items": {
        "title": "SshHost",
        "type": "object",
        "required": [
          "ssh"
        ],
        "additionalProperties": false,
        "properties": {
          "ssh": {
            "type": "string",
            "description": "USER@HOST or USER@HOST:PORT"
          },
          "name": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$",
            "description": "host name in reports and the flake attribute (default: HOST)"
          },
          "path": {
            "type": "string",
            "pattern": "^/",
            "description": "store path to deploy to this host"
          },
          "flake": {
            "type": "string",
            "description": "flake reference for this host (REF or REF#host)"
          },
          "port": {
            "type": "integer",
            "minimum": 1,
            "maximum": 65535
          },
          "identity": {
            "type": "string",
            "minLength": 1,
            "description": "private key file (ssh -i)"
          },
          "knownHosts": {
            "type": "string",
            "minLength": 1,
            "description": "known_hosts file to trust"
          },
          "sshOptions": {
            "type": "array",
            "items": {
              "type": "string",
              "pattern": "^[A-Za-z]+=\\S+$"
            },
            "description": "further ssh -o Key=Value options"
          },
          "profile": {
            "type": "string",
            "minLength": 1,
            "description": "Nix profile on the host (default /nix/var/nix/profiles/system)"
          },
          "activate": {
            "type": "string",
            "minLength": 1,
            "description": "activation command line run on the host; {path} is the store path (default: {path}/bin/switch-to-configuration switch)"
          },
          "healthChecks": {
            "type": "array",
            "maxItems": 256,
            "items": {
              "$ref": "health-check.schema.json"
            }
          },
          "healthTimeoutMs": {
            "type": "integer",
            "minimum": 1,
            "description": "all health checks of a host must finish within this (default 60000)"
          }
        }
      }
    }
  }
} as const;
