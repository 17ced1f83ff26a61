import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { endpointsByTask, envoyFiles, GatewayKey, GatewayRoute, httpFilterNames, inferenceEndpoints, keyNameHeader, metadataNamespace, renderEnvoyConfig, routeNames, ServiceTask } from "../components";

type Any = Record<string, any>;

/** A request as the routing sees it after json_to_metadata: method, path and the metadata it wrote. */
interface Request {
    method: string;
    path: string;
    metadata: Record<string, string>;
}

/** Envoy's first-match routing over the subset of RouteMatch the generator uses; throws on anything else. */
function firstMatch(routes: Any[], req: Request): Any | undefined {
    return routes.find((r) => {
        const { path, prefix, safe_regex, headers = [], dynamic_metadata = [], ...rest } = r.match;
        if (Object.keys(rest).length > 0) throw new Error(`matcher not modelled: ${Object.keys(rest)}`);
        if (path !== undefined && req.path !== path) return false;
        if (prefix !== undefined && !req.path.startsWith(prefix)) return false;
        if (safe_regex !== undefined && !new RegExp(safe_regex.regex).test(req.path)) return false;
        for (const h of headers) {
            if (h.name !== ":method" || h.string_match.exact === undefined) throw new Error("header matcher not modelled");
            if (req.method !== h.string_match.exact) return false;
        }
        for (const m of dynamic_metadata) {
            if (m.filter !== metadataNamespace || m.path.length !== 1) throw new Error("metadata matcher not modelled");
            if (req.metadata[m.path[0].key] !== m.value.string_match.exact) return false;
        }
        return true;
    });
}

/**
 * The key check as Envoy makes it: `api-key-authn` (api_key_auth) with the credentials of the
 * route table (a route or virtual host entry of that filter would replace them whole), 401 for
 * an unknown key; then `api-key-scope` (RBAC) with the route's policy: no per-route config
 * means the filter-level config, which has no rules and admits everyone; an ALLOW rule set
 * admits a key when some policy's principal matches the forwarded client name.
 */
function authDecision(rds: Any, route: Any, keyValue: string): "allowed" | 401 | 403 {
    const table = rds.resources[0];
    const vhost = table.virtual_hosts[0];
    for (const holder of [route, vhost]) {
        if (holder.typed_per_filter_config?.[httpFilterNames.apiKeyAuthn]) throw new Error(`${holder.name} overrides the table's credentials`);
    }
    const credential = (table.typed_per_filter_config[httpFilterNames.apiKeyAuthn].credentials as Any[]).find((c) => c.key === keyValue);
    if (!credential) return 401;
    const scope = route.typed_per_filter_config?.[httpFilterNames.apiKeyScope];
    if (!scope) return "allowed";
    const rules = scope.rbac.rules;
    if (rules.action !== "ALLOW") throw new Error("RBAC action not modelled");
    const matches = (p: Any): boolean => {
        if (p.header?.name !== keyNameHeader) throw new Error("principal not modelled");
        const m = p.header.string_match;
        if (m.exact !== undefined) return credential.client === m.exact;
        if (m.prefix !== undefined) return credential.client.startsWith(m.prefix);
        throw new Error("string match not modelled");
    };
    const policies = Object.values(rules.policies ?? {}) as Any[];
    return policies.some((policy) => policy.permissions.some((perm: Any) => perm.any === true) && policy.principals.some(matches)) ? "allowed" : 403;
}

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
const task = fc.constantFrom(...Object.values(ServiceTask));

const input = fc
    .uniqueArray(fc.record({ name: label, task, instances: fc.integer({ min: 0, max: 3 }) }), { selector: (s) => s.name, minLength: 1, maxLength: 8 })
    .chain((services) =>
        fc
            .uniqueArray(
                fc.record({
                    name: label,
                    scope: fc.oneof(fc.constant<string[]>(["*"]), fc.subarray(services.map((s) => s.name))),
                    requestsPerMinute: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
                }),
                { selector: (k) => k.name, maxLength: 6 },
            )
            .map((keys) => ({ services, keys })),
    )
    .map(({ services, keys }) => ({
        routes: services.map(
            (s): GatewayRoute => ({ name: s.name, accessName: `u-prop/${s.name}`, task: s.task, backendHost: `vllm-${s.name}.ns.svc.cluster.local`, backendPort: 8000, instances: s.instances }),
        ),
        // Every other key is in its rotation grace period: its previous value must act exactly like the current one.
        keys: keys.map((k, i): GatewayKey => ({
            name: k.name,
            value: `sk-fake-${i}-${k.name}`,
            ...(i % 2 === 0 ? { previousValue: `sk-old-${i}-${k.name}` } : {}),
            services: k.scope,
            requestsPerMinute: k.requestsPerMinute,
        })),
    }));

const gateway = { replicas: 1, serviceType: "ClusterIP" as const, maxRequestBodyMiB: 32 };

describe("routing and authorization over random services and keys", () => {
    it("allows every (key, service) pair in exactly the one route of that service, or denies it", () => {
        fc.assert(
            fc.property(input, ({ routes, keys }) => {
                const rds = JSON.parse(renderEnvoyConfig({ routes, keys, gateway })[envoyFiles.routes]);
                const table: Any[] = rds.resources[0].virtual_hosts[0].routes;
                for (const service of routes) {
                    for (const endpoint of inferenceEndpoints) {
                        const req = { method: "POST", path: endpoint, metadata: { model: service.accessName } };
                        const hit = firstMatch(table, req);
                        const served = endpointsByTask[service.task].includes(endpoint);
                        expect(hit?.name).toBe(served ? routeNames.service(service.name) : routeNames.unknownModel);
                        if (!served) continue;
                        for (const key of keys) {
                            const inScope = key.services.includes("*") || key.services.includes(service.name);
                            // Allowed in this route exactly when the scope says so; no other route serves the pair.
                            expect(authDecision(rds, hit!, key.value)).toBe(inScope ? "allowed" : 403);
                            if (key.previousValue) expect(authDecision(rds, hit!, key.previousValue)).toBe(inScope ? "allowed" : 403);
                            const allowingRoutes = table.filter(
                                (r) => r.match.dynamic_metadata?.some((m: Any) => m.value.string_match.exact === service.accessName) && authDecision(rds, r, key.value) === "allowed",
                            );
                            expect(allowingRoutes.length).toBe(inScope ? 1 : 0);
                        }
                        expect(authDecision(rds, hit!, "sk-not-a-key")).toBe(401);
                    }
                }
            }),
            { numRuns: 200 },
        );
    });

    it("never lets one route match two services, and sends unknown models and missing models to their own answers", () => {
        fc.assert(
            fc.property(input, ({ routes, keys }) => {
                const rds = JSON.parse(renderEnvoyConfig({ routes, keys, gateway })[envoyFiles.routes]);
                const table: Any[] = rds.resources[0].virtual_hosts[0].routes;
                const modelsPerRoute = table.map((r) => (r.match.dynamic_metadata ?? []).filter((m: Any) => m.path[0].key === "model").map((m: Any) => m.value.string_match.exact));
                for (const models of modelsPerRoute) expect(models.length).toBeLessThanOrEqual(1);
                const matched = modelsPerRoute.flat();
                expect(new Set(matched).size).toBe(matched.length);
                expect(matched.sort()).toEqual(routes.map((r) => r.accessName).sort());

                const post = (metadata: Record<string, string>, path = "/v1/chat/completions") => firstMatch(table, { method: "POST", path, metadata })?.name;
                expect(post({ model: "u-prop/not-a-service" })).toBe(routeNames.unknownModel);
                expect(post({ model_error: "missing" })).toBe(routeNames.missingModel);
                expect(post({ model_error: "invalid" })).toBe(routeNames.invalidBody);
                expect(post({ model: routes[0].accessName }, "/v1/responses")).toBe(routeNames.unknownEndpoint);
                expect(firstMatch(table, { method: "GET", path: "/v1/models", metadata: { model_error: "missing" } })?.name).toBe(routeNames.models);
                // The credentials are written once, whatever the number of routes.
                expect(rds.resources[0].typed_per_filter_config[httpFilterNames.apiKeyAuthn].credentials).toHaveLength(keys.length + keys.filter((k) => k.previousValue).length);
            }),
            { numRuns: 200 },
        );
    });
});
