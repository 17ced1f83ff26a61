import { describe, expect, it } from "vitest";
import { envoyFiles, keyNameMetadataKey, metadataNamespace } from "../../components/plan/gateway/contract";
import { GatewayRoute } from "../../components/plan/gateway/input";
import { accessLogFormat } from "../../components/plan/gateway/listener";
import { renderEnvoyConfig } from "../../components/plan/gateway/render";
import { fieldsFromFormat, parseAccessLog } from "../../cli/usage/accessLog";
import { parseVllmTokens, renderUsage, usageReport } from "../../cli/usage/report";
import { parseSince } from "../../cli/commands/usage";
import { ServiceOutput } from "../../cli/stack";

/**
 * `usage` on access-log lines in the gateway's real format: the fixture lines are produced
 * from the listener the renderer generates (its `json_format`, whose key name and model come
 * from dynamic metadata), by a small model of Envoy's substitution, so the log format and
 * the reader cannot drift apart.
 */

type Any = Record<string, any>;
const owner = "u-1";
const route = (name: string, instances = 1): GatewayRoute => ({ name, accessName: `${owner}/${name}`, task: "chat" as GatewayRoute["task"], backendHost: `vllm-${name}.ns.svc.cluster.local`, backendPort: 8000, instances });
const files = renderEnvoyConfig({
    routes: [route("test"), route("big")],
    keys: [
        { name: "app-prod", value: "sk-fake-1", services: ["test"] },
        { name: "research", value: "sk-fake-2", services: ["*"] },
    ],
    gateway: { replicas: 1, serviceType: "ClusterIP", maxRequestBodyMiB: 32 },
});
const hcm: Any = JSON.parse(files[envoyFiles.listeners]).resources[0].filter_chains[0].filters[0].typed_config;
const format: Record<string, string> = hcm.access_log[0].typed_config.log_format.json_format;

/** A request as Envoy sees it when it logs: headers, dynamic metadata, response code. */
interface Seen {
    time: string;
    headers: Record<string, string>;
    metadata: Record<string, string>;
    status: number;
}

/** Envoy's substitution for the operators the format uses: unknown values as `-`, the response code as a number. */
function envoyLine(seen: Seen): string {
    const value = (operator: string): string | number => {
        let m: RegExpExecArray | null;
        if (operator === "%START_TIME%") return seen.time;
        if (operator === "%RESPONSE_CODE%") return seen.status;
        if ((m = /^%REQ\(([^)]+)\)(?::\d+)?%$/.exec(operator))) return seen.headers[m[1].toLowerCase()] ?? "-";
        if ((m = /^%DYNAMIC_METADATA\(([^:]+):([^)]+)\)(?::\d+)?%$/.exec(operator))) return seen.metadata[`${m[1]}:${m[2]}`] ?? "-";
        return "-";
    };
    return JSON.stringify(Object.fromEntries(Object.entries(format).map(([field, operator]) => [field, value(operator)])));
}

// The gateway writes the caller's key name (api_key_auth's forwarded client, unmarked) and the body's model as dynamic metadata.
const call = (time: string, key: string | undefined, model: string | undefined, status: number): string =>
    envoyLine({
        time,
        headers: { ":method": "POST" },
        metadata: { ...(key ? { [`${metadataNamespace}:${keyNameMetadataKey}`]: key } : {}), ...(model ? { [`${metadataNamespace}:model`]: model } : {}) },
        status,
    });

const services: ServiceOutput[] = [
    { name: "test", accessName: "u-1/test", serviceId: "svc-test", baseModel: "Qwen/Qwen3-8B", instances: 1 },
    { name: "big", accessName: "u-1/big", serviceId: "svc-big", baseModel: "Qwen/Qwen3-32B", instances: 1 },
];

// As `kubectl logs --prefix` prints two gateway pods: Envoy's own log lines mixed in.
const log = [
    "[pod/model-gateway-7d9-abc/envoy] [2026-11-30 10:00:00.000][1][info][main] starting main dispatch loop",
    `[pod/model-gateway-7d9-abc/envoy] ${call("2026-11-30T10:00:01.000Z", "app-prod", "u-1/test", 200)}`,
    `[pod/model-gateway-7d9-abc/envoy] ${call("2026-11-30T10:00:02.000Z", "app-prod", "u-1/test", 200)}`,
    `[pod/model-gateway-7d9-abc/envoy] ${call("2026-11-30T10:00:03.000Z", "research", "u-1/test", 200)}`,
    `[pod/model-gateway-7d9-xyz/envoy] ${call("2026-11-30T10:00:04.000Z", "research", "u-1/big", 503)}`,
    `[pod/model-gateway-7d9-xyz/envoy] ${call("2026-11-30T10:00:05.000Z", "research", "u-1/big", 200)}`,
    `[pod/model-gateway-7d9-xyz/envoy] ${call("2026-11-30T10:00:06.000Z", undefined, "u-1/test", 401)}`,
    `[pod/model-gateway-7d9-xyz/envoy] ${call("2026-11-30T10:00:07.000Z", "research", "u-1/nope", 404)}`,
].join("\n");

const metrics = [
    "# HELP vllm:prompt_tokens_total Number of prefill tokens processed.",
    "# TYPE vllm:prompt_tokens_total counter",
    'vllm:prompt_tokens_total{engine="0",model_name="u-1/test"} 300.0',
    'vllm:generation_tokens_total{engine="0",model_name="u-1/test"} 90.0',
    'vllm:prompt_tokens_total{engine="0",model_name="u-1/big"} 50.0',
    'vllm:generation_tokens_total{engine="0",model_name="u-1/big"} 7.0',
    'vllm:request_success_total{engine="0",finished_reason="stop",model_name="u-1/test"} 3.0',
].join("\n");

describe("usage", () => {
    it("finds its fields by the operators of the format the gateway is configured with", () => {
        expect(format).toEqual(accessLogFormat());
        expect(fieldsFromFormat(format)).toEqual({ time: "time", keyName: "key_name", model: "model", status: "status" });
    });

    it("counts requests and errors per service ID and per key, exactly; shares tokens among keys as an estimate", () => {
        const records = parseAccessLog(log, fieldsFromFormat(format));
        expect(records).toHaveLength(7);
        const report = usageReport(records, services, parseVllmTokens(metrics));
        expect(report.services).toEqual([
            { service: "test", serviceId: "svc-test", accessName: "u-1/test", requests: 4, errors: 1, tokens: { prompt: 300, generation: 90 } },
            { service: "big", serviceId: "svc-big", accessName: "u-1/big", requests: 2, errors: 1, tokens: { prompt: 50, generation: 7 } },
        ]);
        expect(report.keys).toEqual([
            { key: "(no valid key)", requests: 1, errors: 1 },
            { key: "app-prod", requests: 2, errors: 0, estimatedTokens: { prompt: 200, generation: 60 } },
            { key: "research", requests: 4, errors: 2, estimatedTokens: { prompt: 150, generation: 37 } },
        ]);
        expect(report.unrouted).toEqual({ requests: 1, errors: 1 });
        expect(renderUsage(report)).toContain("test     svc-test    4         1       300            90");
    });

    it("keeps only lines since --since", () => {
        const records = parseAccessLog(log, fieldsFromFormat(format), new Date("2026-11-30T10:00:05.000Z"));
        expect(records.map((r) => r.status)).toEqual([200, 401, 404]);
        expect(parseSince("30m")).toBe(1800);
        expect(() => parseSince("yesterday")).toThrow('--since: expected a duration like 30m, 12h or 7d, got "yesterday"');
    });

    it("says tokens are not available rather than zero when no instance answered /metrics", () => {
        const report = usageReport(parseAccessLog(log, fieldsFromFormat(format)), services);
        expect(report.services[0].tokens).toBeUndefined();
        expect(renderUsage(report)).toContain("n/a");
    });
});
