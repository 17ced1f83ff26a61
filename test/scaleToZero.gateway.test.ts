import { beforeEach, describe, expect, it } from "vitest";
import { clusterName, GatewayKey, GatewayRoute, renderEnvoyConfig, routeNames, scaleUpHeader, ServiceTask } from "../components";
import type { GatewayConfig } from "../components";

/** The gateway's side of scale to zero: route, cluster and the 503 `model_scaling_up` with Retry-After. */

const route = (name: string, instances: number, scaleUpSeconds?: number): GatewayRoute => ({
    name,
    accessName: `u-1/${name}`,
    task: ServiceTask.Chat,
    backendHost: `vllm-${name}.model-services.svc.cluster.local`,
    backendPort: 8000,
    instances,
    scaleUpSeconds,
});
const keys: GatewayKey[] = [{ name: "app", value: "sk-fake-app-0000", services: ["*"] }];
const gateway: GatewayConfig = { replicas: 2, serviceType: "ClusterIP", maxRequestBodyMiB: 32 };

function render(routes: GatewayRoute[]) {
    const files = renderEnvoyConfig({ routes, keys, gateway });
    const rds = JSON.parse(files["rds.json"]).resources[0];
    const cds = JSON.parse(files["cds.json"]).resources;
    const hcm = JSON.parse(files["lds.json"]).resources[0].filter_chains[0].filters[0].typed_config;
    const routeOf = (name: string) => rds.virtual_hosts[0].routes.find((r: any) => r.name === routeNames.service(name));
    return { rds, cds, hcm, routeOf };
}

describe("a service that autoscales from zero", () => {
    // Rendered before each test (StrykerJS counts code a test reaches between its own beforeEach and
    // afterEach; beforeAll and collection count for none), so what they check is what the
    // code renders then (mutation testing swaps the code under test after collection).
    let cds: any;
    let hcm: any;
    let routeOf: ReturnType<typeof render>["routeOf"];
    beforeEach(() => {
        ({ cds, hcm, routeOf } = render([route("idle", 0, 450), route("stopped", 0), route("busy", 2)]));
    });

    it("keeps proxying to its cluster at 0 instances, while a stopped service answers its own 503", () => {
        expect(cds.map((c: any) => c.name)).toEqual([clusterName("busy"), clusterName("idle")]);
        expect(routeOf("idle").route.cluster).toBe(clusterName("idle"));
        expect(routeOf("idle").direct_response).toBeUndefined();
        expect(routeOf("stopped").direct_response.status).toBe(503);
        expect(JSON.parse(routeOf("stopped").direct_response.body.inline_string).error.code).toBe("model_stopped");
    });

    it("marks its requests with the start-time estimate; other routes carry no mark", () => {
        // The header's name is a contract with the docs and operators' dashboards, not only with the mapper.
        expect(scaleUpHeader).toBe("x-model-services-scale-up-seconds");
        expect(routeOf("idle").request_headers_to_add).toEqual([{ header: { key: scaleUpHeader, value: "450" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }]);
        expect(routeOf("busy").request_headers_to_add).toBeUndefined();
    });

    it("turns Envoy's no-instance 503 of a marked request into OpenAI's shape, code model_scaling_up, with Retry-After", () => {
        const mappers = hcm.local_reply_config.mappers;
        const scaling = mappers.findIndex((m: any) => m.body_format_override.json_format.error.code === "model_scaling_up");
        const unavailable = mappers.findIndex((m: any) => m.body_format_override.json_format.error.code === "model_unavailable");
        // First match wins: the marked 503 must be checked before the generic one.
        expect(scaling).toBeGreaterThanOrEqual(0);
        expect(scaling).toBeLessThan(unavailable);
        const m = mappers[scaling];
        expect(m.filter.and_filter.filters).toEqual([
            { status_code_filter: { comparison: { op: "EQ", value: { default_value: 503, runtime_key: expect.any(String) } } } },
            { response_flag_filter: { flags: ["UH", "UF", "URX", "NC"] } },
            { header_filter: { header: { name: scaleUpHeader, present_match: true } } },
        ]);
        expect(m.headers_to_add).toEqual([{ header: { key: "retry-after", value: `%REQ(${scaleUpHeader})%` }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }]);
        expect(m.body_format_override.json_format.error).toEqual({
            message: "The model '%DYNAMIC_METADATA(model-services:model):200%' is scaled to zero and is starting for this request. Retry after the number of seconds in the Retry-After header.",
            type: "server_error",
            code: "model_scaling_up",
        });
    });

    it("strips a client-sent mark, so no client can make a plain 503 look like a scale-up", () => {
        const mutation = hcm.http_filters[0].typed_config.mutations.request_mutations;
        expect(mutation).toContainEqual({ remove: scaleUpHeader });
    });

    it("rejects a start-time estimate that is not a whole number of seconds ≥ 1", () => {
        expect(() => render([route("idle", 0, 0)])).toThrow("service idle: scaleUpSeconds must be a whole number ≥ 1, got 0");
    });
});
