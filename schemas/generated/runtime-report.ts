/* Generated from schemas/runtime-report.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * What an agent observed on the running machine, timestamped and bound to a machine id. Runtime checks of controls read this.
 */
export interface RuntimeReport {
machineId: string
collectedAt: string
hostName?: string
platform?: ("nixos" | "darwin")
/**
 * how the agent switches generations, when it is not Nix: simulated means plain directories switched by the demo's simulated driver, not a real system (docs/adr/0850-simulated-driver.md)
 */
driver?: ("nix" | "simulated")
bootId?: string
currentGeneration?: {
storePath: string
generation?: number
}
generations?: {
generation: number
storePath: string
current?: boolean
}[]
/**
 * key (dotted, e.g. kernel.kptr_restrict) → value as read from /proc/sys
 */
sysctl?: {
[k: string]: string
}
kernelCmdline?: string[]
mounts?: {
device?: string
mountPoint: string
fsType: string
options: string[]
}[]
listeningSockets?: {
protocol: ("tcp" | "tcp6" | "udp" | "udp6")
address: string
port: number
process?: string
}[]
failedUnits?: string[]
/**
 * unit name → active state
 */
units?: {
[k: string]: string
}
setuidBinaries?: string[]
healthChecks?: HealthCheckResult[]
}
export interface HealthCheckResult {
name: string
kind: ("systemd" | "launchd" | "http" | "tcp" | "command")
/**
 * error: the check could not run (counts as inconclusive)
 */
status: ("pass" | "fail" | "error")
message?: string
attempts: number
startedAt: string
finishedAt: string
}

export const runtimeReportSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/runtime-report.schema.json",
  "title": "RuntimeReport",
  "description": "What an agent observed on the running machine, timestamped and bound to a machine id. Runtime checks of controls read this.",
  "type": "object",
  "required": [
    "machineId",
    "collectedAt"
  ],
  "additionalProperties": false,
  "properties": {
    "machineId": {
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
    },
    "collectedAt": {
      "type": "string",
      "format": "date-time"
    },
    "hostName": {
      "type": "string"
    },
    "platform": {
      "type": "string",
      "enum": [
        "nixos",
        "darwin"
      ]
    },
    "driver": {
      "type": "string",
      "enum": [
        "nix",
        "simulated"
      ],
      "description": "how the agent switches generations, when it is not Nix: simulated means plain directories switched by the demo's simulated driver, not a real system (docs/adr/0850-simulated-driver.md)"
    },
    "bootId": {
      "type": "string"
    },
    "currentGeneration": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "storePath"
      ],
      "properties": {
        "storePath": {
          "type": "string"
        },
        "generation": {
          "type": "integer",
          "minimum": 0
        }
      }
    },
    "generations": {
      "type": "array",
      "items": {
        "type": "object",
        "required": [
          "generation",
          "storePath"
        ],
        "additionalProperties": false,
        "properties": {
          "generation": {
            "type": "integer",
            "minimum": 0
          },
          "storePath": {
            "type": "string"
          },
          "current": {
            "type": "boolean"
          }
        }
      }
    },
    "sysctl": {
      "type": "object",
      "additionalProperties": {
        "type": "string"
      },
      "description": "key (dotted, e.g. kernel.kptr_restrict) → value as read from /proc/sys"
    },
    "kernelCmdline": {
      "type": "array",
      "items": {
        "type": "string"
      }
    },
    "mounts": {
      "type": "array",
      "items": {
        "type": "object",
        "required": [
          "mountPoint",
          "fsType",
          "options"
        ],
        "additionalProperties": false,
        "properties": {
          "device": {
            "type": "string"
          },
          "mountPoint": {
            "type": "string"
          },
          "fsType": {
            "type": "string"
          },
          "options": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        }
      }
    },
    "listeningSockets": {
      "type": "array",
      "items": {
        "type": "object",
        "required": [
          "protocol",
          "address",
          "port"
        ],
        "additionalProperties": false,
        "properties": {
          "protocol": {
            "type": "string",
            "enum": [
              "tcp",
              "tcp6",
              "udp",
              "udp6"
            ]
          },
          "address": {
            "type": "string"
          },
          "port": {
            "type": "integer",
            "minimum": 0,
            "maximum": 65535
          },
          "process": {
            "type": "string"
          }
        }
      }
    },
    "failedUnits": {
      "type": "array",
      "items": {
        "type": "string"
      }
    },
    "units": {
      "type": "object",
      "additionalProperties": {
        "type": "string"
      },
      "description": "unit name → active state"
    },
    "setuidBinaries": {
      "type": "array",
      "items": {
        "type": "string"
      }
    },
    "healthChecks": {
      "type": "array",
      "items": {
        "$ref": "health-check-result.schema.json"
      }
    }
  }
} as const;
