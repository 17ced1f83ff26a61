import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessName, EnvoyConfigFiles, envoyFiles, GatewayKey, GatewayRoute, loadPlatform, PlatformPlan, renderEnvoyConfig, serviceBackendHost, vllmPort } from "../components";
import { projectRoot, stackConfig } from "./helpers/platform";

/**
 * Runs the real validator (tools/envoy-validate, built by scripts/envoy-validate.sh) on the
 * generated config: it must accept what the generator renders for the shipped stacks and
 * reject deliberately broken variants.
 */

const script = path.join(projectRoot, "scripts/envoy-validate.sh");
const work = mkdtempSync(path.join(tmpdir(), "envoy-validate-"));
let dirs = 0;

/** The gateway input ModelPlatform builds from a parsed config, with fake key values. */
function gatewayInput(config: PlatformPlan): { routes: GatewayRoute[]; keys: GatewayKey[] } {
    return {
        routes: config.services.map((s) => ({
            name: s.name,
            accessName: accessName(config.owner, s.name),
            task: s.task,
            backendHost: serviceBackendHost(s.name, config.namespace),
            backendPort: vllmPort,
            instances: s.instances,
        })),
        keys: config.apiKeys.map((k) => ({ name: k.name, value: `sk-fake-${k.name}-0123456789`, services: k.services, requestsPerMinute: k.requestsPerMinute })),
    };
}

function shipped(stack: string): PlatformPlan {
    return loadPlatform(stackConfig(stack), { stack });
}

function write(files: EnvoyConfigFiles): string {
    const dir = path.join(work, `config-${dirs++}`);
    execFileSync("mkdir", ["-p", dir]);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return dir;
}

function validate(...args: string[]): { status: number | null; output: string } {
    const run = spawnSync("bash", [script, ...args], { encoding: "utf8", timeout: 120_000 });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A copy of the files with one of them edited as JSON. */
function broken(files: EnvoyConfigFiles, file: string, edit: (doc: any) => void): EnvoyConfigFiles {
    const doc = JSON.parse(files[file]);
    edit(doc);
    return { ...files, [file]: JSON.stringify(doc, null, 2) };
}

const dev = () => {
    const config = shipped("dev");
    return renderEnvoyConfig({ ...gatewayInput(config), gateway: config.gateway });
};

beforeAll(() => {
    // The first run on a machine builds the validator (a few minutes); later runs reuse it.
    const built = spawnSync("bash", [script, "--build-only"], { encoding: "utf8", timeout: 900_000 });
    if (built.status !== 0) throw new Error(`building the validator failed:\n${built.stdout}${built.stderr}`);
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("envoy-validate accepts the generated config", () => {
    it.each(["dev", "local"])("of the shipped %s stack", (stack) => {
        const config = shipped(stack);
        const result = validate(write(renderEnvoyConfig({ ...gatewayInput(config), gateway: config.gateway })));
        expect(result.output).toMatch(/envoy-validate: 5 file\(s\) valid \(\d+ messages, \d+ typed configs checked\)/);
        expect(result.status).toBe(0);
    });

    it("with TLS, all services stopped, and no keys at all", () => {
        const config = shipped("dev");
        const input = gatewayInput(config);
        const variants = [
            renderEnvoyConfig({ ...input, gateway: { ...config.gateway, tls: { secretName: "gateway-tls" } } }),
            renderEnvoyConfig({ routes: input.routes.map((r) => ({ ...r, instances: 0 })), keys: input.keys, gateway: config.gateway }),
            renderEnvoyConfig({ routes: input.routes, keys: [], gateway: config.gateway }),
            renderEnvoyConfig({ ...input, gateway: { ...config.gateway, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" } }),
            renderEnvoyConfig({ routes: input.routes, keys: input.keys.map((k) => ({ ...k, previousValue: `${k.value}-previous` })), gateway: config.gateway }),
        ];
        for (const files of variants) {
            const result = validate(write(files));
            expect(result.output).toContain("valid");
            expect(result.status).toBe(0);
        }
    });

    it("at 500 services × 500 keys", () => {
        const routes = Array.from({ length: 500 }, (_, i) => ({
            name: `svc-${i}`,
            accessName: `u-scale/svc-${i}`,
            task: "chat" as const,
            backendHost: `vllm-svc-${i}.model-services.svc.cluster.local`,
            backendPort: 8000,
            instances: 1,
        }));
        const keys = Array.from({ length: 500 }, (_, i) => ({ name: `key-${i}`, value: `sk-${i}-${"x".repeat(44)}`, services: i % 10 === 0 ? [`svc-${i}`] : ["*"], requestsPerMinute: 600 }));
        const result = validate(write(renderEnvoyConfig({ routes, keys, gateway: shipped("dev").gateway })));
        expect(result.output).toContain("5 file(s) valid");
        expect(result.status).toBe(0);
    });

    it("with a service that autoscales from zero (no instance now, a route and cluster kept, the scaling-up 503)", () => {
        const config = shipped("local");
        const input = gatewayInput(config);
        const routes = input.routes.map((r, i) => (i === 0 ? { ...r, instances: 0, scaleUpSeconds: 450 } : r));
        const files = renderEnvoyConfig({ routes, keys: input.keys, gateway: config.gateway });
        expect(files[envoyFiles.routes]).toContain('"x-model-services-scale-up-seconds"');
        const result = validate(write(files));
        expect(result.output).toMatch(/envoy-validate: 5 file\(s\) valid/);
        expect(result.status).toBe(0);
    });

    it("as in the reviewed snapshot", () => {
        const result = validate(path.join(projectRoot, "test/__snapshots__/envoy-dev"));
        expect(result.status).toBe(0);
    });
});

describe("envoy-validate rejects a broken config", () => {
    it("with a misspelled field", () => {
        const files = broken(dev(), envoyFiles.listeners, (doc) => {
            const hcm = doc.resources[0].filter_chains[0].filters[0].typed_config;
            hcm.stream_idle_timout = hcm.stream_idle_timeout;
            delete hcm.stream_idle_timeout;
        });
        const result = validate(write(files));
        expect(result.status).toBe(1);
        expect(result.output).toContain('lds.json: error: as envoy.service.discovery.v3.DiscoveryResponse: proto:');
        expect(result.output).toContain('unknown field "stream_idle_timout"');
    });

    it("with a wrong type URL", () => {
        const files = broken(dev(), envoyFiles.routes, (doc) => {
            doc.resources[0].typed_per_filter_config["api-key-authn"]["@type"] = "type.googleapis.com/envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuthRoute";
        });
        const result = validate(write(files));
        expect(result.status).toBe(1);
        expect(result.output).toContain('unable to resolve "type.googleapis.com/envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuthRoute"');
    });

    it("with a real type URL in the wrong place (its fields do not fit)", () => {
        const files = broken(dev(), envoyFiles.listeners, (doc) => {
            const filters = doc.resources[0].filter_chains[0].filters[0].typed_config.http_filters;
            filters.find((f: any) => f.name === "envoy.filters.http.buffer").typed_config["@type"] = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
        });
        const result = validate(write(files));
        expect(result.status).toBe(1);
        expect(result.output).toContain('unknown field "max_request_bytes"');
    });

    it("with a required field missing (inside a typed_config, which the generated validators alone do not reach)", () => {
        const files = broken(dev(), envoyFiles.routes, (doc) => {
            delete doc.resources[0].typed_per_filter_config["api-key-authn"].credentials[0].client;
        });
        const result = validate(write(files));
        expect(result.status).toBe(1);
        expect(result.output).toMatch(/rds\.json: error: .*typed_per_filter_config\[api-key-authn\]<ApiKeyAuthPerRoute>: invalid ApiKeyAuthPerRoute\.Credentials\[0\]: embedded message failed validation \| caused by: invalid Credential\.Client: value length must be at least 1 runes/);
    });

    it("with a value outside its allowed range", () => {
        const files = broken(dev(), envoyFiles.clusters, (doc) => {
            doc.resources[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value = 70000;
        });
        const result = validate(write(files));
        expect(result.status).toBe(1);
        expect(result.output).toContain("PortValue: value must be less than or equal to 65535");
    });

    it("with a deprecated field", () => {
        const files = broken(dev(), envoyFiles.listeners, (doc) => {
            doc.resources[0].filter_chains[0].use_proxy_proto = false;
        });
        const result = validate(write(files));
        expect(result.status).toBe(1);
        expect(result.output).toContain("use_proxy_proto: field use_proxy_proto is deprecated in this Envoy version");
    });

    it("with a route to a cluster that no file defines", () => {
        const files = broken(dev(), envoyFiles.routes, (doc) => {
            doc.resources[0].virtual_hosts[0].routes.find((r: any) => r.route).route.cluster = "service-tset";
        });
        const result = validate(write(files));
        expect(result.status).toBe(1);
        expect(result.output).toContain('refers to Cluster "service-tset", which none of the files defines');
    });

    it("with per-route config under a name no HTTP filter has (Envoy would ignore it: no key check on that route)", () => {
        const files = broken(dev(), envoyFiles.routes, (doc) => {
            const route = doc.resources[0].virtual_hosts[0].routes.find((r: any) => r.route);
            const perFilter = route.typed_per_filter_config;
            perFilter["envoy.filters.http.rbac"] = perFilter["api-key-scope"];
            delete perFilter["api-key-scope"];
        });
        const result = validate(write(files));
        expect(result.status).toBe(1);
        expect(result.output).toContain('per-filter config "envoy.filters.http.rbac" names no HTTP filter of the connection manager');
    });

    it("with a discovered filter config (ECDS) that is missing, named for another filter, or of a type the filter does not take", () => {
        const missing = { ...dev() };
        delete missing[envoyFiles.rateLimits];
        const gone = validate(write(missing));
        expect(gone.status).toBe(1);
        expect(gone.output).toContain(`reads /etc/envoy/${envoyFiles.rateLimits}, which is not among the validated files`);
        const renamed = validate(write(broken(dev(), envoyFiles.rateLimits, (doc) => (doc.resources[0].name = "rate-limit"))));
        expect(renamed.status).toBe(1);
        expect(renamed.output).toContain('refers to TypedExtensionConfig "envoy.filters.http.local_ratelimit", which none of the files defines');
        const retyped = validate(
            write(
                broken(dev(), envoyFiles.rateLimits, (doc) => {
                    doc.resources[0].typed_config = { "@type": "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer", max_request_bytes: 1024 };
                }),
            ),
        );
        expect(retyped.status).toBe(1);
        expect(retyped.output).toContain('extension config "envoy.filters.http.local_ratelimit" holds type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer, which is not among the filter\'s type_urls');
    });

    it("with a config source that reads the wrong file, or the wrong kind of file", () => {
        const missing = validate(write(broken(dev(), envoyFiles.bootstrap, (doc) => (doc.dynamic_resources.cds_config.path_config_source.path = "/etc/envoy/clusters.json"))));
        expect(missing.status).toBe(1);
        expect(missing.output).toContain("reads /etc/envoy/clusters.json, which is not among the validated files");
        const swapped = validate(write(broken(dev(), envoyFiles.bootstrap, (doc) => (doc.dynamic_resources.cds_config.path_config_source.path = "/etc/envoy/lds.json"))));
        expect(swapped.status).toBe(1);
        expect(swapped.output).toContain("holds envoy.config.listener.v3.Listener, but this config source expects envoy.config.cluster.v3.Cluster");
        const unwatched = validate(write(broken(dev(), envoyFiles.bootstrap, (doc) => (doc.dynamic_resources.lds_config.path_config_source.watched_directory.path = "/etc"))));
        expect(unwatched.status).toBe(1);
        expect(unwatched.output).toContain("watched_directory /etc does not hold /etc/envoy/lds.json");
    });

    it("that is not JSON", () => {
        const result = validate(write({ ...dev(), [envoyFiles.bootstrap]: "admin: {}\n" }));
        expect(result.status).toBe(1);
        expect(result.output).toContain("envoy.json: error: not a JSON object");
    });
});

describe("scripts/envoy-validate.sh", () => {
    it("caches the binary under a hash of the validator's sources", () => {
        const bin = execFileSync("bash", [script, "--build-only"], { encoding: "utf8" }).trim();
        const cacheRoot = process.env.MODEL_SERVICES_CACHE ?? path.join(process.env.HOME ?? "", ".cache/model-services");
        expect(bin).toMatch(new RegExp(`^${cacheRoot.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/envoy-validate/[0-9a-f]{16}/envoy-validate$`));
        expect(readFileSync(bin).subarray(1, 4).toString()).toBe("ELF");
    });

    it("exits 2 with usage when given nothing", () => {
        const result = validate();
        expect(result.status).toBe(2);
        expect(result.output).toContain("usage: envoy-validate");
    });
});
