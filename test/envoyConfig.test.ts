import { describe, expect, it } from "vitest";
import {
    allowedKeyNames,
    clusterName,
    endpointsByTask,
    envoyFiles,
    gatewayPorts,
    gatewayTimeouts,
    GatewayKey,
    GatewayRoute,
    httpFilterNames,
    keyNameHeader,
    metadataNamespace,
    renderBootstrap,
    renderEnvoyConfig,
    routeNames,
    scaleUpHeader,
} from "../components";
import { GatewayConfig, ServiceTask } from "../components";

const owner = "u-8105f7322477";
const route = (name: string, task: ServiceTask, instances = 1): GatewayRoute => ({
    name,
    accessName: `${owner}/${name}`,
    task,
    backendHost: `vllm-${name}.model-services.svc.cluster.local`,
    backendPort: 8000,
    instances,
});

/** The dev stack's shape: three services (one vision, one stopped here), two keys of different scopes. */
const devRoutes: GatewayRoute[] = [route("test", ServiceTask.Chat), route("vision", ServiceTask.Vision), route("qwen-32b", ServiceTask.Chat, 0)];
const devKeys: GatewayKey[] = [
    { name: "app-prod", value: "sk-fake-app-prod-0000", services: ["test", "vision"], requestsPerMinute: 600 },
    { name: "research", value: "sk-fake-research-0000", services: ["*"] },
];
const gateway: GatewayConfig = { replicas: 2, serviceType: "LoadBalancer", maxRequestBodyMiB: 32 };

type Any = Record<string, any>;

function parsed(input = { routes: devRoutes, keys: devKeys, gateway }): { bootstrap: Any; lds: Any; rds: Any; cds: Any; sds?: Any } {
    const files = renderEnvoyConfig(input);
    return {
        bootstrap: JSON.parse(files[envoyFiles.bootstrap]),
        lds: JSON.parse(files[envoyFiles.listeners]),
        rds: JSON.parse(files[envoyFiles.routes]),
        cds: JSON.parse(files[envoyFiles.clusters]),
        sds: files[envoyFiles.tlsSecret] ? JSON.parse(files[envoyFiles.tlsSecret]) : undefined,
    };
}

const routesOf = (rds: Any): Any[] => rds.resources[0].virtual_hosts[0].routes;
const routeNamed = (rds: Any, name: string): Any => {
    const found = routesOf(rds).find((r) => r.name === name);
    if (!found) throw new Error(`no route ${name}`);
    return found;
};
const hcmOf = (lds: Any): Any => lds.resources[0].filter_chains[0].filters[0].typed_config;
const authOf = (r: Any): Any => r.typed_per_filter_config[httpFilterNames.apiKeyAuth];
const mapperFor = (lds: Any, status: number): Any[] =>
    hcmOf(lds).local_reply_config.mappers.filter((m: Any) => {
        const f = m.filter.status_code_filter ?? m.filter.and_filter?.filters.find((x: Any) => x.status_code_filter)?.status_code_filter;
        return f?.comparison.value.default_value === status;
    });

/** The regex a route matches paths with, as a JS RegExp (RE2 and JS agree on this subset). */
const pathRegex = (r: Any): RegExp => new RegExp(r.match.safe_regex.regex);

describe("routes", () => {
    it("has one route per service, matched on POST + the body's model (dynamic metadata) + its task's endpoints", () => {
        const { rds } = parsed();
        for (const r of devRoutes) {
            const matching = routesOf(rds).filter((x) => x.match.dynamic_metadata?.some((m: Any) => m.path[0].key === "model" && m.value.string_match.exact === r.accessName));
            expect(matching.map((x) => x.name)).toEqual([routeNames.service(r.name)]);
            const [only] = matching;
            expect(only.match.dynamic_metadata).toEqual([{ filter: metadataNamespace, path: [{ key: "model" }], value: { string_match: { exact: r.accessName } } }]);
            expect(only.match.headers).toEqual([{ name: ":method", string_match: { exact: "POST" } }]);
            for (const endpoint of ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/images/generations"]) {
                expect(pathRegex(only).test(endpoint)).toBe(endpointsByTask[r.task].includes(endpoint));
            }
            expect(pathRegex(only).test("/v1/chat/completions/extra")).toBe(false);
        }
    });

    it("routes each running service to its own cluster, built from its backend host and port", () => {
        const { rds, cds } = parsed();
        expect(routeNamed(rds, "service-test").route.cluster).toBe(clusterName("test"));
        expect(cds.resources.map((c: Any) => c.name)).toEqual(["service-test", "service-vision"]);
        const test = cds.resources.find((c: Any) => c.name === "service-test");
        expect(test.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({
            address: "vllm-test.model-services.svc.cluster.local",
            port_value: 8000,
        });
        expect(test.cluster_type.name).toBe("envoy.clusters.dns");
        expect(test.lb_policy).toBe("LEAST_REQUEST");
    });

    it("answers a stopped service with a 503 that says it is stopped, still behind the key check", () => {
        const { rds, cds } = parsed();
        const stopped = routeNamed(rds, "service-qwen-32b");
        expect(stopped.route).toBeUndefined();
        expect(stopped.direct_response.status).toBe(503);
        expect(JSON.parse(stopped.direct_response.body.inline_string)).toEqual({
            error: {
                message: `The model '${owner}/qwen-32b' is stopped (0 instances). Set its instances to 1 or more in the stack config to start it.`,
                type: "server_error",
                code: "model_stopped",
            },
        });
        expect(authOf(stopped).allowed_clients).toEqual(["research"]);
        expect(cds.resources.some((c: Any) => c.name === "service-qwen-32b")).toBe(false);
    });

    it("orders the catch-alls after every service: missing model 400, bad body 400, unknown model 404, unknown endpoint 404", () => {
        const names = routesOf(parsed().rds).map((r) => r.name);
        expect(names).toEqual([
            routeNames.models,
            "service-qwen-32b",
            "service-test",
            "service-vision",
            routeNames.missingModel,
            routeNames.invalidBody,
            routeNames.unknownModel,
            routeNames.unknownEndpoint,
        ]);
    });

    it("matches application/json with or without a charset, and an absent content type", () => {
        const { lds } = parsed();
        const j2m = hcmOf(lds).http_filters.find((f: Any) => f.name === httpFilterNames.jsonToMetadata).typed_config.request_rules;
        expect(j2m.allow_empty_content_type).toBe(true);
        // Envoy full-matches with RE2; (?i) is RE2's flag, written here as JS's "i".
        const re = new RegExp(`^(?:${j2m.allow_content_types_regex.regex.replace("(?i)", "")})$`, "i");
        for (const ok of ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"]) expect(re.test(ok)).toBe(true);
        for (const bad of ["text/plain", "application/x-www-form-urlencoded", "application/jsonp"]) expect(re.test(bad)).toBe(false);
        expect(j2m.rules[0]).toMatchObject({
            selectors: [{ key: "model" }],
            on_present: { metadata_namespace: metadataNamespace, key: "model", type: "STRING" },
            on_missing: { key: "model_error", value: "missing" },
            on_error: { key: "model_error", value: "invalid" },
        });
    });
});

describe("allowed clients: keys × services, exactly as the keys' scopes say", () => {
    const routes = [route("alpha", ServiceTask.Chat), route("beta", ServiceTask.Embedding), route("gamma", ServiceTask.Vision), route("delta", ServiceTask.ImageGeneration, 0)];
    const keys: GatewayKey[] = [
        { name: "all", value: "sk-fake-all", services: ["*"] },
        { name: "alpha-only", value: "sk-fake-alpha", services: ["alpha"] },
        { name: "alpha-beta", value: "sk-fake-ab", services: ["beta", "alpha"] },
        { name: "stopped-only", value: "sk-fake-delta", services: ["delta"] },
    ];
    const { rds } = parsed({ routes, keys, gateway });
    const table: [string, string, boolean][] = [
        ["all", "alpha", true], ["all", "beta", true], ["all", "gamma", true], ["all", "delta", true],
        ["alpha-only", "alpha", true], ["alpha-only", "beta", false], ["alpha-only", "gamma", false], ["alpha-only", "delta", false],
        ["alpha-beta", "alpha", true], ["alpha-beta", "beta", true], ["alpha-beta", "gamma", false], ["alpha-beta", "delta", false],
        ["stopped-only", "alpha", false], ["stopped-only", "beta", false], ["stopped-only", "gamma", false], ["stopped-only", "delta", true],
    ];

    it.each(table)("key %s → service %s: allowed %s", (key, service, allowed) => {
        expect(authOf(routeNamed(rds, routeNames.service(service))).allowed_clients.includes(key)).toBe(allowed);
        expect(allowedKeyNames(keys, service).includes(key)).toBe(allowed);
    });

    it("gives every route the full credential list (a route's config replaces the filter's)", () => {
        for (const r of routesOf(rds)) {
            expect(authOf(r).credentials).toEqual([
                { key: "sk-fake-all", client: "all" },
                { key: "sk-fake-ab", client: "alpha-beta" },
                { key: "sk-fake-alpha", client: "alpha-only" },
                { key: "sk-fake-delta", client: "stopped-only" },
            ]);
        }
    });

    it("lets any valid key reach the models list and the error routes, but no key skip authentication", () => {
        for (const name of [routeNames.models, routeNames.missingModel, routeNames.invalidBody, routeNames.unknownModel, routeNames.unknownEndpoint]) {
            expect(authOf(routeNamed(rds, name)).allowed_clients).toBeUndefined();
            expect(authOf(routeNamed(rds, name)).credentials).toHaveLength(4);
        }
    });

    it("refuses every key on a service no key may call (an empty allowed list would admit all)", () => {
        const lonely = parsed({ routes: [route("lonely", ServiceTask.Chat), route("open", ServiceTask.Chat)], keys: [{ name: "k", value: "sk-fake-k", services: ["open"] }], gateway }).rds;
        const r = routeNamed(lonely, "service-lonely");
        expect(r.direct_response).toEqual({ status: 403 });
        expect(authOf(r).allowed_clients).toBeUndefined();
    });
});

describe("error bodies (OpenAI's shape)", () => {
    const { lds, rds } = parsed();
    const shape = (body: Any) => {
        expect(Object.keys(body)).toEqual(["error"]);
        expect(Object.keys(body.error).sort()).toEqual(["code", "message", "type"]);
        for (const v of Object.values(body.error)) expect(typeof v).toBe("string");
    };

    it.each([
        [401, "invalid_request_error", "invalid_api_key"],
        [403, "permission_error", "model_not_allowed"],
        [408, "invalid_request_error", "request_timeout"],
        [413, "invalid_request_error", "request_too_large"],
        [429, "requests", "rate_limit_exceeded"],
    ])("%i from Envoy itself is rewritten to type %s, code %s, as application/json", (status, type, code) => {
        const [m, ...rest] = mapperFor(lds, status);
        expect(rest).toHaveLength(0);
        expect(m.body_format_override.content_type).toBe("application/json");
        shape(m.body_format_override.json_format);
        expect(m.body_format_override.json_format.error).toMatchObject({ type, code });
    });

    it("401 tells how to send the key and asks for a Bearer token", () => {
        const [m] = mapperFor(lds, 401);
        expect(m.body_format_override.json_format.error.message).toContain("Authorization: Bearer <key>");
        expect(m.headers_to_add[0].header).toEqual({ key: "www-authenticate", value: 'Bearer realm="model-services"' });
    });

    it("403 and the unknown-model 404 name the model from the body", () => {
        expect(mapperFor(lds, 403)[0].body_format_override.json_format.error.message).toContain(`%DYNAMIC_METADATA(${metadataNamespace}:model):200%`);
        const notFound = routeNamed(rds, routeNames.unknownModel).direct_response;
        expect(notFound.status).toBe(404);
        shape(notFound.body_format.json_format);
        expect(notFound.body_format.json_format.error.code).toBe("model_not_found");
        expect(notFound.body_format.json_format.error.message).toContain(`%DYNAMIC_METADATA(${metadataNamespace}:model):200%`);
    });

    it("413 states the configured limit", () => {
        const small = parsed({ routes: devRoutes, keys: devKeys, gateway: { ...gateway, maxRequestBodyMiB: 8 } });
        expect(mapperFor(small.lds, 413)[0].body_format_override.json_format.error.message).toContain("8 MiB");
    });

    it("503 is rewritten only when Envoy could not reach a backend (or is overloaded), so a stopped service keeps its message", () => {
        const mappers = mapperFor(lds, 503);
        expect(mappers.map((m) => m.filter.and_filter.filters[1].response_flag_filter.flags)).toEqual([["OM"], ["UH", "UF", "URX", "NC"], ["UH", "UF", "UO", "URX", "UC", "UR", "NC"]]);
        expect(mappers.map((m) => m.body_format_override.json_format.error.code)).toEqual(["overloaded", "model_scaling_up", "model_unavailable"]);
        mappers.forEach((m) => shape(m.body_format_override.json_format));
    });

    it("400s for a missing model and an unparsable body are fixed JSON bodies", () => {
        for (const [name, code] of [[routeNames.missingModel, "missing_model"], [routeNames.invalidBody, "invalid_json"]]) {
            const r = routeNamed(rds, name);
            expect(r.direct_response.status).toBe(400);
            const body = JSON.parse(r.direct_response.body.inline_string);
            shape(body);
            expect(body.error.code).toBe(code);
            expect(r.response_headers_to_add).toEqual([{ header: { key: "content-type", value: "application/json" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }]);
        }
        expect(routeNamed(rds, routeNames.missingModel).match.dynamic_metadata[0].value.string_match.exact).toBe("missing");
    });

    it("an unknown endpoint is a 404 naming the method and path", () => {
        const r = routeNamed(rds, routeNames.unknownEndpoint);
        expect(r.match).toEqual({ prefix: "/" });
        expect(r.direct_response.body_format.json_format.error.message).toContain("%REQ(:METHOD)% %REQ(:PATH):200%");
    });
});

describe("GET /v1/models", () => {
    it("answers OpenAI's list shape with every access name, sorted, stopped services included", () => {
        const r = routeNamed(parsed().rds, routeNames.models);
        expect(r.match).toEqual({ path: "/v1/models", headers: [{ name: ":method", string_match: { exact: "GET" } }] });
        expect(r.direct_response.status).toBe(200);
        expect(JSON.parse(r.direct_response.body.inline_string)).toEqual({
            object: "list",
            data: ["qwen-32b", "test", "vision"].map((n) => ({ id: `${owner}/${n}`, object: "model", created: 0, owned_by: owner })),
        });
        expect(r.response_headers_to_add[0].header.value).toBe("application/json");
    });
});

describe("keys stay out of everything but the route table", () => {
    it("puts key values only in rds.json, strips the key before upstream and forwards the key's name", () => {
        const files = renderEnvoyConfig({ routes: devRoutes, keys: devKeys, gateway });
        for (const [file, text] of Object.entries(files)) {
            for (const k of devKeys) expect(text.includes(k.value)).toBe(file === envoyFiles.routes);
        }
        const auth = hcmOf(parsed().lds).http_filters.find((f: Any) => f.name === httpFilterNames.apiKeyAuth).typed_config;
        expect(auth.key_sources).toEqual([{ header: "authorization" }]);
        expect(auth.forwarding).toEqual({ header: keyNameHeader, hide_credentials: true });
    });

    it("removes a client-sent key-name header before authentication sets the real one", () => {
        const filters = hcmOf(parsed().lds).http_filters;
        expect(filters.map((f: Any) => f.name)).toEqual([
            httpFilterNames.headerMutation,
            httpFilterNames.buffer,
            httpFilterNames.jsonToMetadata,
            httpFilterNames.apiKeyAuth,
            httpFilterNames.localRateLimit,
            httpFilterNames.router,
        ]);
        expect(filters[0].typed_config.mutations.request_mutations).toEqual([{ remove: keyNameHeader }, { remove: scaleUpHeader }]);
    });

    it("logs JSON to stdout with time, key name, model, status, bytes, duration and upstream time, never the Authorization header", () => {
        const [log] = hcmOf(parsed().lds).access_log;
        expect(log.typed_config["@type"]).toBe("type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog");
        const format = log.typed_config.log_format.json_format;
        expect(format).toMatchObject({
            time: "%START_TIME%",
            key_name: `%REQ(${keyNameHeader})%`,
            model: `%DYNAMIC_METADATA(${metadataNamespace}:model):200%`,
            status: "%RESPONSE_CODE%",
            bytes_received: "%BYTES_RECEIVED%",
            bytes_sent: "%BYTES_SENT%",
            duration_ms: "%DURATION%",
            upstream_time_ms: "%RESP(x-envoy-upstream-service-time)%",
        });
        expect(JSON.stringify(format).toLowerCase()).not.toContain("authorization");
    });
});

describe("timeouts and limits", () => {
    const { lds, rds, bootstrap } = parsed();

    it("streams: no route timeout, an idle timeout instead, and retries only where vLLM never saw the request", () => {
        const r = routeNamed(rds, "service-test").route;
        expect(r.timeout).toBe("0s");
        expect(r.idle_timeout).toBe(`${gatewayTimeouts.streamIdleSeconds}s`);
        expect(gatewayTimeouts.streamIdleSeconds).toBeGreaterThanOrEqual(300);
        expect(r.retry_policy.retry_on).toBe("connect-failure,refused-stream,reset-before-request");
        expect(hcmOf(lds).stream_idle_timeout).toBe(`${gatewayTimeouts.streamIdleSeconds}s`);
    });

    it("buffers bodies up to maxRequestBodyMiB (32 MiB by default), then 413", () => {
        const buffer = (l: Any) => hcmOf(l).http_filters.find((f: Any) => f.name === httpFilterNames.buffer).typed_config.max_request_bytes;
        expect(buffer(lds)).toBe(32 * 1024 * 1024);
        expect(buffer(parsed({ routes: devRoutes, keys: devKeys, gateway: { ...gateway, maxRequestBodyMiB: 64 } }).lds)).toBe(64 * 1024 * 1024);
    });

    it("limits each key with requestsPerMinute, in one bucket across services; keys without one are not limited", () => {
        const vhost = rds.resources[0].virtual_hosts[0];
        const rl = vhost.typed_per_filter_config[httpFilterNames.localRateLimit];
        expect(rl.descriptors).toEqual([{ entries: [{ key: "api_key", value: "app-prod" }], token_bucket: { max_tokens: 600, tokens_per_fill: 600, fill_interval: "60s" } }]);
        expect(rl.rate_limits).toEqual([{ actions: [{ request_headers: { header_name: keyNameHeader, descriptor_key: "api_key" } }] }]);
        expect(rl.filter_enforced.default_value).toEqual({ numerator: 100, denominator: "HUNDRED" });
        expect(rl.always_consume_default_token_bucket).toBe(false);
        expect(rl.enable_retry_after_header).toBe(true);
        const unlimited = parsed({ routes: devRoutes, keys: devKeys.map(({ requestsPerMinute: _, ...k }) => k), gateway }).rds;
        expect(unlimited.resources[0].virtual_hosts[0].typed_per_filter_config).toBeUndefined();
    });

    it("binds admin to loopback, probes and metrics to their own listeners, the API to its port", () => {
        expect(bootstrap.admin.address.socket_address).toEqual({ address: "127.0.0.1", port_value: gatewayPorts.admin });
        expect(bootstrap.admin.allow_paths.some((p: Any) => (p.prefix ?? p.exact).startsWith("/config_dump"))).toBe(false);
        const listeners = bootstrap.static_resources.listeners.map((l: Any) => [l.name, l.address.socket_address.port_value]);
        expect(listeners).toEqual([["readiness", gatewayPorts.readiness], ["metrics", gatewayPorts.metrics]]);
        const metricsRoutes = bootstrap.static_resources.listeners[1].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes;
        expect(metricsRoutes.filter((r: Any) => r.route).map((r: Any) => r.match.path)).toEqual(["/stats/prometheus"]);
        expect(lds.resources[0].address.socket_address).toEqual({ address: "0.0.0.0", port_value: gatewayPorts.api });
        expect(new Set(Object.values(gatewayPorts)).size).toBe(Object.keys(gatewayPorts).length);
    });

    it("loads listeners and clusters from the watched config directory, routes too", () => {
        const source = (file: string) => ({ path_config_source: { path: `/etc/envoy/${file}`, watched_directory: { path: "/etc/envoy" } }, resource_api_version: "V3" });
        expect(bootstrap.dynamic_resources).toEqual({ lds_config: source("lds.json"), cds_config: source("cds.json") });
        expect(hcmOf(lds).rds).toEqual({ config_source: source("rds.json"), route_config_name: "api" });
        expect(rds.resources[0].validate_clusters).toBe(false);
    });
});

describe("TLS", () => {
    it("serves the API over TLS on its own port with the certificate from the mounted Secret, reloaded on rotation", () => {
        const { lds, sds } = parsed({ routes: devRoutes, keys: devKeys, gateway: { ...gateway, tls: { secretName: "gw-tls" } } });
        const listener = lds.resources[0];
        expect(listener.name).toBe("api-tls");
        expect(listener.address.socket_address.port_value).toBe(gatewayPorts.apiTls);
        const ctx = listener.filter_chains[0].transport_socket.typed_config.common_tls_context;
        expect(ctx.tls_certificate_sds_secret_configs[0].sds_config.path_config_source.path).toBe("/etc/envoy/sds.json");
        expect(sds?.resources[0].tls_certificate).toEqual({
            certificate_chain: { filename: "/etc/envoy-tls/tls.crt" },
            private_key: { filename: "/etc/envoy-tls/tls.key" },
            watched_directory: { path: "/etc/envoy-tls" },
        });
        expect(parsed().sds).toBeUndefined();
    });
});

describe("determinism and in-place reloads", () => {
    it("renders byte-identical files for the same input, whatever the order of routes and keys", () => {
        const a = renderEnvoyConfig({ routes: devRoutes, keys: devKeys, gateway });
        const b = renderEnvoyConfig({ routes: [...devRoutes].reverse(), keys: [...devKeys].reverse().map((k) => ({ ...k, services: [...k.services].reverse() })), gateway });
        expect(b).toEqual(a);
        expect(Object.keys(a)).toEqual(["cds.json", "envoy.json", "lds.json", "rds.json"]);
    });

    it("changes only rds.json (and cds.json for services) when keys rotate or services come and go: no listener drain, no pod roll", () => {
        const before = renderEnvoyConfig({ routes: devRoutes, keys: devKeys, gateway });
        const rotated = renderEnvoyConfig({ routes: devRoutes, keys: devKeys.map((k) => ({ ...k, value: `${k.value}-rotated` })), gateway });
        const added = renderEnvoyConfig({ routes: [...devRoutes, route("embed", ServiceTask.Embedding)], keys: [...devKeys, { name: "ci", value: "sk-fake-ci", services: ["embed"], requestsPerMinute: 5 }], gateway });
        for (const after of [rotated, added]) {
            expect(after[envoyFiles.bootstrap]).toBe(before[envoyFiles.bootstrap]);
            expect(after[envoyFiles.listeners]).toBe(before[envoyFiles.listeners]);
            expect(after[envoyFiles.routes]).not.toBe(before[envoyFiles.routes]);
        }
        expect(rotated[envoyFiles.clusters]).toBe(before[envoyFiles.clusters]);
        expect(added[envoyFiles.clusters]).not.toBe(before[envoyFiles.clusters]);
        expect(before[envoyFiles.bootstrap]).toBe(renderBootstrap());
    });
});

describe("input checks", () => {
    it("rejects, all at once, what would make the config ambiguous or wrong", () => {
        expect(() =>
            renderEnvoyConfig({
                routes: [route("dup", ServiceTask.Chat), route("dup", ServiceTask.Chat), { ...route("neg", ServiceTask.Chat), instances: -1 }],
                keys: [
                    { name: "a", value: "sk-same", services: ["ghost"] },
                    { name: "b", value: "sk-same", services: ["*"], requestsPerMinute: 0 },
                ],
                gateway: { ...gateway, maxRequestBodyMiB: 0 },
            }),
        ).toThrow(
            [
                "Cannot render the gateway's Envoy config:",
                '  - service name "dup" appears more than once',
                `  - access name "${owner}/dup" appears more than once`,
                "  - two API keys have the same value",
                "  - service neg: instances must be a whole number ≥ 0, got -1",
                '  - key a: service "ghost" does not exist',
                "  - key b: requestsPerMinute must be a whole number ≥ 1, got 0",
                "  - gateway.maxRequestBodyMiB must be a whole number from 1 to 1024, got 0",
            ].join("\n"),
        );
    });
});

describe("reviewed snapshot (dev stack shape)", () => {
    it.each(Object.entries(renderEnvoyConfig({ routes: devRoutes, keys: devKeys, gateway })))("%s", async (file, text) => {
        await expect(text).toMatchFileSnapshot(`__snapshots__/envoy-dev/${file}`);
    });
});
