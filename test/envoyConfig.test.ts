import { beforeEach, describe, expect, it } from "vitest";
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
import { allServicesClientPrefix, envoySecretFiles } from "../components/plan/gateway";
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
/** The forwarded client names a route's `api-key-scope` admits by exact name, and whether it admits all-services keys. */
const scopeOf = (r: Any): { names: string[]; allServices: boolean } => {
    const policy = r.typed_per_filter_config[httpFilterNames.apiKeyScope].rbac.rules.policies?.["allowed-keys"];
    const principals: Any[] = policy?.principals ?? [];
    return { names: principals.flatMap((p) => p.header.string_match.exact ?? []), allServices: principals.some((p) => p.header.string_match.prefix === allServicesClientPrefix) };
};
const credentialsOf = (rds: Any): Any[] => rds.resources[0].typed_per_filter_config[httpFilterNames.apiKeyAuthn].credentials;
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
        expect(scopeOf(stopped)).toEqual({ names: [], allServices: true });
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
    // Rendered before the tests, not at collection: mutation testing swaps the code after collection.
    let rds: Any;
    beforeEach(() => {
        ({ rds } = parsed({ routes, keys, gateway }));
    });
    const table: [string, string, boolean][] = [
        ["all", "alpha", true], ["all", "beta", true], ["all", "gamma", true], ["all", "delta", true],
        ["alpha-only", "alpha", true], ["alpha-only", "beta", false], ["alpha-only", "gamma", false], ["alpha-only", "delta", false],
        ["alpha-beta", "alpha", true], ["alpha-beta", "beta", true], ["alpha-beta", "gamma", false], ["alpha-beta", "delta", false],
        ["stopped-only", "alpha", false], ["stopped-only", "beta", false], ["stopped-only", "gamma", false], ["stopped-only", "delta", true],
    ];

    it.each(table)("key %s → service %s: allowed %s", (key, service, allowed) => {
        const scope = scopeOf(routeNamed(rds, routeNames.service(service)));
        expect(key === "all" ? scope.allServices : scope.names.includes(key)).toBe(allowed);
        expect(allowedKeyNames(keys, service).includes(key)).toBe(allowed);
    });

    it("writes the credentials once, for the whole route table; all-services keys carry the mark one matcher admits", () => {
        expect(credentialsOf(rds)).toEqual([
            { key: "sk-fake-all", client: `${allServicesClientPrefix}all` },
            { key: "sk-fake-ab", client: "alpha-beta" },
            { key: "sk-fake-alpha", client: "alpha-only" },
            { key: "sk-fake-delta", client: "stopped-only" },
        ]);
        const vhost = rds.resources[0].virtual_hosts[0];
        for (const holder of [vhost, ...routesOf(rds)]) expect(holder.typed_per_filter_config?.[httpFilterNames.apiKeyAuthn]).toBeUndefined();
    });

    it("lets any valid key reach the models list and the error routes: they have no scope", () => {
        for (const name of [routeNames.models, routeNames.missingModel, routeNames.invalidBody, routeNames.unknownModel, routeNames.unknownEndpoint]) {
            expect(routeNamed(rds, name).typed_per_filter_config).toBeUndefined();
        }
    });

    it("refuses every key on a service no key may call: an ALLOW rule set without policies", () => {
        const lonely = parsed({ routes: [route("lonely", ServiceTask.Chat), route("open", ServiceTask.Chat)], keys: [{ name: "k", value: "sk-fake-k", services: ["open"] }], gateway }).rds;
        const r = routeNamed(lonely, "service-lonely");
        expect(r.typed_per_filter_config[httpFilterNames.apiKeyScope].rbac).toEqual({ rules: { action: "ALLOW" } });
        expect(r.route.cluster).toBe("service-lonely");
    });

    it("accepts both values of a key in its rotation grace period, under one name", () => {
        const rotating = parsed({ routes: devRoutes, keys: [{ ...devKeys[0], previousValue: "sk-fake-app-prod-old" }, devKeys[1]], gateway }).rds;
        expect(credentialsOf(rotating).filter((c) => c.client === "app-prod").map((c) => c.key)).toEqual(["sk-fake-app-prod-0000", "sk-fake-app-prod-old"]);
    });
});

describe("error bodies (OpenAI's shape)", () => {
    let lds: Any;
    let rds: Any;
    beforeEach(() => {
        ({ lds, rds } = parsed());
    });
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
        const auth = hcmOf(parsed().lds).http_filters.find((f: Any) => f.name === httpFilterNames.apiKeyAuthn).typed_config;
        expect(auth.key_sources).toEqual([{ header: "authorization" }]);
        expect(auth.forwarding).toEqual({ header: keyNameHeader, hide_credentials: true });
    });

    it("authenticates and rate-limits on the headers, before any body is buffered or parsed; checks the scope after the model is known", () => {
        const filters = hcmOf(parsed().lds).http_filters;
        expect(filters.map((f: Any) => f.name)).toEqual([
            httpFilterNames.headerMutation,
            httpFilterNames.apiKeyAuthn,
            httpFilterNames.keyName,
            httpFilterNames.localRateLimit,
            httpFilterNames.buffer,
            httpFilterNames.jsonToMetadata,
            httpFilterNames.apiKeyScope,
            httpFilterNames.router,
        ]);
        expect(filters[1].typed_config["@type"]).toBe("type.googleapis.com/envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuth");
        expect(filters[6].typed_config).toEqual({ "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC" });
    });

    it("removes a client-sent key-name header before authentication sets the real one, and the headers vLLM acts on", () => {
        const filters = hcmOf(parsed().lds).http_filters;
        expect(filters[0].typed_config.mutations.request_mutations).toEqual([keyNameHeader, scaleUpHeader, "x-data-parallel-rank", "traceparent", "tracestate"].map((h) => ({ remove: h })));
        expect(hcmOf(parsed().lds).common_http_protocol_options.headers_with_underscores_action).toBe("REJECT_REQUEST");
    });

    it("forwards and logs the key's name without the all-services mark", () => {
        const keyName = hcmOf(parsed().lds).http_filters.find((f: Any) => f.name === httpFilterNames.keyName).typed_config.request_rules[0];
        const rewrite = keyName.on_header_present.regex_value_rewrite;
        expect(`${allServicesClientPrefix}research`.replace(new RegExp(rewrite.pattern.regex), rewrite.substitution)).toBe("research");
        expect("app-prod".replace(new RegExp(rewrite.pattern.regex), rewrite.substitution)).toBe("app-prod");
        expect(parsed().rds.resources[0].request_headers_to_add).toEqual([
            { header: { key: keyNameHeader, value: `%DYNAMIC_METADATA(${metadataNamespace}:key_name)%` }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" },
        ]);
    });

    it("logs JSON to stdout with time, key name, model, status, bytes, duration and upstream time, never the Authorization header", () => {
        const [log] = hcmOf(parsed().lds).access_log;
        expect(log.typed_config["@type"]).toBe("type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog");
        const format = log.typed_config.log_format.json_format;
        expect(format).toMatchObject({
            time: "%START_TIME%",
            key_name: `%DYNAMIC_METADATA(${metadataNamespace}:key_name)%`,
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
    let lds: Any;
    let rds: Any;
    let bootstrap: Any;
    beforeEach(() => {
        ({ lds, rds, bootstrap } = parsed());
    });

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

    it("limits each key with requestsPerMinute, in one bucket across services, from its own file; keys without one are not limited", () => {
        const rateLimits = (keys: GatewayKey[]) => JSON.parse(renderEnvoyConfig({ routes: devRoutes, keys, gateway })[envoyFiles.rateLimits]).resources[0];
        const ecds = rateLimits(devKeys);
        expect(ecds.name).toBe(httpFilterNames.localRateLimit);
        const rl = ecds.typed_config;
        expect(rl.descriptors).toEqual([{ entries: [{ key: "api_key", value: "app-prod" }], token_bucket: { max_tokens: 600, tokens_per_fill: 600, fill_interval: "60s" } }]);
        expect(rl.rate_limits).toEqual([{ actions: [{ request_headers: { header_name: keyNameHeader, descriptor_key: "api_key" } }] }]);
        expect(rl.filter_enforced.default_value).toEqual({ numerator: 100, denominator: "HUNDRED" });
        expect(rl.always_consume_default_token_bucket).toBe(false);
        expect(rl.enable_retry_after_header).toBe(true);
        expect(rateLimits(devKeys.map(({ requestsPerMinute: _, ...k }) => k)).typed_config.descriptors).toEqual([]);
        const filter = hcmOf(lds).http_filters.find((f: Any) => f.name === httpFilterNames.localRateLimit);
        expect(filter.config_discovery.config_source.path_config_source.path).toBe(`/etc/envoy/${envoyFiles.rateLimits}`);
        expect(rds.resources[0].virtual_hosts[0].typed_per_filter_config).toBeUndefined();
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
        const socket = listener.filter_chains[0].transport_socket;
        expect(socket.name).toBe("envoy.transport_sockets.tls");
        expect(socket.typed_config["@type"]).toBe("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext");
        const ctx = socket.typed_config.common_tls_context;
        // HTTP/2 for clients that offer it, HTTP/1.1 for the rest; nothing older than TLS 1.2.
        expect(ctx.alpn_protocols).toEqual(["h2", "http/1.1"]);
        expect(ctx.tls_params).toEqual({ tls_minimum_protocol_version: "TLSv1_2" });
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
        expect(Object.keys(a)).toEqual(["cds.json", "ecds-ratelimit.json", "envoy.json", "lds.json", "rds.json"]);
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
        // The buckets are rebuilt (and refilled) only when a limit changes, not on a rotation or a new service.
        expect(rotated[envoyFiles.rateLimits]).toBe(before[envoyFiles.rateLimits]);
        expect(renderEnvoyConfig({ routes: [...devRoutes, route("embed", ServiceTask.Embedding)], keys: devKeys, gateway })[envoyFiles.rateLimits]).toBe(before[envoyFiles.rateLimits]);
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
                "  - two API keys (current or previous values) have the same value",
                "  - service neg: instances must be a whole number ≥ 0, got -1",
                '  - key a: service "ghost" does not exist',
                "  - key b: requestsPerMinute must be a whole number ≥ 1, got 0",
                "  - gateway.maxRequestBodyMiB must be a whole number from 1 to 1024, got 0",
            ].join("\n"),
        );
    });
});

describe("reviewed snapshot (dev stack shape)", () => {
    const render = () => renderEnvoyConfig({ routes: devRoutes, keys: devKeys, gateway });
    // Rendered inside each test, not when the file is collected, so that what a test compares
    // is what the code under test renders at that moment (mutation testing swaps code per test).
    it.each(Object.keys(render()))("%s", async (file) => {
        const text = render()[file];
        // Rendered compact; indented here for review.
        await expect(`${JSON.stringify(JSON.parse(text), null, 2)}\n`).toMatchFileSnapshot(`__snapshots__/envoy-dev/${file}`);
    });
});

describe("hardening (issue 11)", () => {
    it("keeps overload headroom: the heap is 80 % of the container limit, high-memory streams are reset from 85 % of it", () => {
        const om = parsed().bootstrap.overload_manager;
        expect(om.resource_monitors[0].typed_config.max_heap_size_bytes).toBe(String(Math.floor(1024 * 0.8) * 1024 * 1024));
        expect(om.buffer_factory_config).toEqual({ minimum_account_to_track_power_of_two: 20 });
        expect(om.actions.map((a: Any) => a.name)).toEqual([
            "envoy.overload_actions.reset_high_memory_stream",
            "envoy.overload_actions.disable_http_keepalive",
            "envoy.overload_actions.stop_accepting_requests",
        ]);
        expect(om.actions[0].triggers[0].scaled).toEqual({ scaling_threshold: 0.85, saturation_threshold: 0.95 });
    });

    it("opens only the admin pages the readiness probe and Prometheus read", () => {
        expect(parsed().bootstrap.admin.allow_paths).toEqual([{ exact: "/ready" }, { prefix: "/stats" }]);
    });

    it("takes the caller's address from the NLB's PROXY header on a LoadBalancer gateway, and https from its port when the NLB ends TLS", () => {
        const listener = parsed().lds.resources[0];
        expect(listener.listener_filters).toEqual([
            {
                name: "envoy.filters.listener.proxy_protocol",
                typed_config: {
                    "@type": "type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol",
                    stat_prefix: "nlb",
                    allow_requests_without_proxy_protocol: true,
                    disallowed_versions: ["V1"],
                },
            },
        ]);
        expect(hcmOf(parsed().lds).forward_proto_config).toBeUndefined();
        const acm = parsed({ routes: devRoutes, keys: devKeys, gateway: { ...gateway, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" } }).lds;
        expect(hcmOf(acm).forward_proto_config).toEqual({ https_destination_ports: [443], http_destination_ports: [80] });
        const inCluster = parsed({ routes: devRoutes, keys: devKeys, gateway: { ...gateway, serviceType: "ClusterIP" } }).lds;
        expect(inCluster.resources[0].listener_filters).toBeUndefined();
    });

    const many = (services: number, keys: number) => {
        const routes = Array.from({ length: services }, (_, i) => route(`service-${String(i).padStart(3, "0")}`, ServiceTask.Chat));
        // Nine keys in ten may call every service; the rest call three services each.
        const keyList: GatewayKey[] = Array.from({ length: keys }, (_, i) => ({
            name: `key-${String(i).padStart(3, "0")}`,
            value: `sk-${String(i).padStart(3, "0")}${"x".repeat(45)}`,
            services: i % 10 === 0 ? [0, 1, 2].map((j) => routes[(i + j) % services].name) : ["*"],
            requestsPerMinute: 600,
        }));
        return renderEnvoyConfig({ routes, keys: keyList, gateway });
    };

    it("grows with services + keys: 500 services × 500 keys fit the Secrets (1 MiB each)", () => {
        const files = many(500, 500);
        for (const names of Object.values(envoySecretFiles)) {
            const bytes = names.reduce((sum, name) => sum + Buffer.byteLength(files[name] ?? ""), 0);
            expect(bytes).toBeLessThan(1024 * 1024);
        }
        expect(Object.keys(files).every((name) => Object.values(envoySecretFiles).some((names) => (names as readonly string[]).includes(name)))).toBe(true);
        const rds = JSON.parse(files[envoyFiles.routes]);
        expect(credentialsOf(rds)).toHaveLength(500);
        // Each route lists only the keys limited to it by name, plus one matcher for all-services keys.
        const principals = routesOf(rds).flatMap((r) => r.typed_per_filter_config?.[httpFilterNames.apiKeyScope]?.rbac.rules.policies?.["allowed-keys"].principals ?? []);
        expect(principals.length).toBe(500 + 50 * 3);
    });

    it("raises the direct-response limit above the models list, which passes Envoy's 4 KiB default near 42 services", () => {
        const rds = JSON.parse(many(500, 1)[envoyFiles.routes]);
        const models = routeNamed(rds, routeNames.models).direct_response.body.inline_string;
        expect(Buffer.byteLength(models)).toBeGreaterThan(4096);
        expect(rds.resources[0].max_direct_response_body_size_bytes).toBeGreaterThanOrEqual(Buffer.byteLength(models));
        expect(parsed().rds.resources[0].max_direct_response_body_size_bytes).toBe(4096);
    });
});
