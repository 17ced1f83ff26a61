import { GatewayConfig } from "../../config/types";
import { accessNamePattern, maxServiceNameLength, ranges, rfc1035Label, rfc1123Label, ServiceTask } from "../../config/rules";
import { endpointsByTask } from "./contract";
import { compare } from "./json";

/** A model service the gateway routes to. */
export interface GatewayRoute {
    /** Service name (RFC 1035 label); names the route and the upstream cluster. */
    name: string;
    /** `<owner>/<name>`: the value clients put in the body's `model`. */
    accessName: string;
    /** What the service serves; decides the endpoints it answers (see `endpointsByTask`). */
    task: ServiceTask;
    /** DNS name of the service's backend, e.g. `vllm-<name>.<namespace>.svc.cluster.local`. */
    backendHost: string;
    /** Port of the backend's OpenAI-compatible server. */
    backendPort: number;
    /** Running instances; 0 = stopped: requests get a 503 that says so (unless `scaleUpSeconds` is set). */
    instances: number;
    /** Set when the service autoscales from zero: the start-time estimate a request gets as `Retry-After` while no instance runs. */
    scaleUpSeconds?: number;
}

/** An API key as the gateway checks it. */
export interface GatewayKey {
    /** Key name (RFC 1123 label); forwarded upstream and logged, never the value. */
    name: string;
    /** The secret key clients send as `Authorization: Bearer <value>`. */
    value: string;
    /** The value before the last rotation, still accepted during the rotation's grace period. */
    previousValue?: string;
    /** Service names this key may call, or `["*"]` for all. */
    services: string[];
    /** Requests per minute across all services, per gateway pod; unlimited when omitted. */
    requestsPerMinute?: number;
}

export interface EnvoyConfigInput {
    routes: GatewayRoute[];
    keys: GatewayKey[];
    gateway: GatewayConfig;
}

/** File name → file content (JSON text), in a stable order. */
export interface EnvoyConfigFiles {
    [fileName: string]: string;
}


/** Checks the input the way the config parser does, so a direct caller cannot render an ambiguous config. */
export function checkInput(input: EnvoyConfigInput): void {
    const problems: string[] = [];
    const seen = (values: string[], what: string) => {
        const dup = values.filter((v, i) => values.indexOf(v) !== i);
        for (const v of [...new Set(dup)]) {
            problems.push(`${what} ${JSON.stringify(v)} appears more than once`);
        }
    };
    seen(input.routes.map((r) => r.name), "service name");
    seen(input.routes.map((r) => r.accessName), "access name");
    seen(input.keys.map((k) => k.name), "key name");
    const values = input.keys.flatMap((k) => (k.previousValue === undefined ? [k.value] : [k.value, k.previousValue]));
    if (new Set(values).size !== values.length) {
        problems.push("two API keys (current or previous values) have the same value");
    }
    const names = new Set(input.routes.map((r) => r.name));
    for (const r of input.routes) {
        if (!rfc1035Label.test(r.name) || r.name.length > maxServiceNameLength) problems.push(`service name ${JSON.stringify(r.name)} is not an RFC 1035 label of at most ${maxServiceNameLength} characters`);
        if (!accessNamePattern.test(r.accessName)) problems.push(`access name ${JSON.stringify(r.accessName)} is empty or has whitespace or '%'`);
        if (!Number.isInteger(r.instances) || r.instances < 0) problems.push(`service ${r.name}: instances must be a whole number ≥ 0, got ${r.instances}`);
        if (!Number.isInteger(r.backendPort) || r.backendPort < 1 || r.backendPort > 65535) problems.push(`service ${r.name}: backendPort must be a port number, got ${r.backendPort}`);
        if (r.scaleUpSeconds !== undefined && (!Number.isInteger(r.scaleUpSeconds) || r.scaleUpSeconds < 1)) problems.push(`service ${r.name}: scaleUpSeconds must be a whole number ≥ 1, got ${r.scaleUpSeconds}`);
        if (!r.backendHost) problems.push(`service ${r.name}: backendHost is empty`);
        if (!(r.task in endpointsByTask)) problems.push(`service ${r.name}: unknown task ${JSON.stringify(r.task)}`);
    }
    for (const k of input.keys) {
        if (!rfc1123Label.test(k.name)) problems.push(`key name ${JSON.stringify(k.name)} is not an RFC 1123 label`);
        if (!k.value || /\s/.test(k.value)) problems.push(`key ${k.name}: the value is empty or has whitespace`);
        if (k.previousValue !== undefined && (!k.previousValue || /\s/.test(k.previousValue))) problems.push(`key ${k.name}: the previous value is empty or has whitespace`);
        for (const s of k.services) {
            if (s !== "*" && !names.has(s)) problems.push(`key ${k.name}: service ${JSON.stringify(s)} does not exist`);
        }
        if (k.requestsPerMinute !== undefined && (!Number.isInteger(k.requestsPerMinute) || k.requestsPerMinute < 1)) {
            problems.push(`key ${k.name}: requestsPerMinute must be a whole number ≥ 1, got ${k.requestsPerMinute}`);
        }
    }
    const body = ranges.maxRequestBodyMiB;
    if (!Number.isInteger(input.gateway.maxRequestBodyMiB) || input.gateway.maxRequestBodyMiB < body.min || input.gateway.maxRequestBodyMiB > body.max) {
        problems.push(`gateway.maxRequestBodyMiB must be a whole number from ${body.min} to ${body.max}, got ${input.gateway.maxRequestBodyMiB}`);
    }
    if (problems.length > 0) {
        throw new Error(`Cannot render the gateway's Envoy config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

/** The names of the keys allowed to call a service, sorted. */
export function allowedKeyNames(keys: GatewayKey[], serviceName: string): string[] {
    return keys
        .filter((k) => k.services.includes("*") || k.services.includes(serviceName))
        .map((k) => k.name)
        .sort();
}

/** The `GET /v1/models` answer: OpenAI's list shape, access names as ids, sorted. */
export function modelsList(routes: GatewayRoute[]): { object: "list"; data: { id: string; object: "model"; created: number; owned_by: string }[] } {
    return {
        object: "list",
        data: [...routes]
            .sort((a, b) => compare(a.accessName, b.accessName))
            .map((r) => ({ id: r.accessName, object: "model", created: 0, owned_by: r.accessName.includes("/") ? r.accessName.slice(0, r.accessName.indexOf("/")) : "model-services" })),
    };
}
