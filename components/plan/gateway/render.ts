import { createHash } from "node:crypto";
import { bootstrap } from "./bootstrap";
import { cluster, tlsSecret } from "./clusters";
import { envoyFiles } from "./contract";
import { checkInput, EnvoyConfigFiles, EnvoyConfigInput } from "./input";
import { compare, Json, JsonObject } from "./json";
import { rateLimitExtension } from "./keys";
import { apiListener } from "./listener";
import { routeTable } from "./routes";
import { routesToBackend } from "./scaleToZero";

/**
 * Envoy configuration of the API gateway, rendered from the services, the API keys and the
 * gateway settings. Pure: no Pulumi resources, no clock, no randomness — the same input
 * always renders byte-identical files, so an unchanged stack changes nothing in the Secret.
 *
 * The files (JSON, in one Kubernetes Secret mounted at `gatewayPaths.config`):
 * - `envoy.json` — the static bootstrap: admin on loopback, the readiness and metrics
 *   listeners, and file-based LDS/CDS. It depends on nothing but constants, so a change of
 *   services or keys never changes it (its checksum rolls the pods).
 * - `lds.json` — the API listener: filters, limits, timeouts, error bodies, access log.
 * - `rds.json` — the routes: one per service, matched on the body's `model`, each with its
 *   key scope; the credentials once for the table. Keys and services live here, so
 *   rotating a key or adding a service swaps the route table in place: no listener is
 *   drained and in-flight streams finish on the table they started with.
 * - `ecds-ratelimit.json` — the per-key token buckets, alone, so that only a limit change
 *   refills them.
 * - `cds.json` — one upstream cluster per running service.
 * - `sds.json` — only with TLS: the certificate files, watched for rotation.
 * The three xDS files are read with `path_config_source` + `watched_directory`, which
 * reloads them when kubelet swaps the Secret volume's `..data` symlink.
 */

/** A file-based xDS response; its version is a digest of the resources, shown in Envoy's stats. */
function discoveryResponse(type: string, resources: JsonObject[]): JsonObject {
    const version = createHash("sha256").update(JSON.stringify(resources)).digest("hex").slice(0, 16);
    return { version_info: version, type_url: `type.googleapis.com/${type}`, resources };
}

/** Compact JSON: indentation would double the size that must fit the Secrets (500 services × 500 keys). */
function render(value: Json): string {
    return `${JSON.stringify(value)}\n`;
}

/** The bootstrap file alone. It depends on no input: services and keys never roll the pods. */
export function renderBootstrap(): string {
    return render(bootstrap());
}

/**
 * Renders the gateway's Envoy files. Routes and keys are sorted by name first, so their
 * order in the input does not matter.
 *
 * @throws Error listing every problem when names repeat, a key names an unknown service,
 *   or a value is out of range (the config parser rejects these earlier).
 */
export function renderEnvoyConfig(input: EnvoyConfigInput): EnvoyConfigFiles {
    checkInput(input);
    const routes = [...input.routes].sort((a, b) => compare(a.name, b.name));
    const keys = [...input.keys].sort((a, b) => compare(a.name, b.name));
    const running = routes.filter(routesToBackend);

    const files: EnvoyConfigFiles = {
        [envoyFiles.clusters]: render(discoveryResponse("envoy.config.cluster.v3.Cluster", running.map(cluster))),
        [envoyFiles.bootstrap]: renderBootstrap(),
        [envoyFiles.listeners]: render(discoveryResponse("envoy.config.listener.v3.Listener", [apiListener(input.gateway)])),
        [envoyFiles.routes]: render(discoveryResponse("envoy.config.route.v3.RouteConfiguration", [routeTable(routes, keys, input.gateway)])),
        [envoyFiles.rateLimits]: render(discoveryResponse("envoy.config.core.v3.TypedExtensionConfig", [rateLimitExtension(keys)])),
    };
    if (input.gateway.tls) {
        files[envoyFiles.tlsSecret] = render(discoveryResponse("envoy.extensions.transport_sockets.tls.v3.Secret", [tlsSecret()]));
    }
    return Object.fromEntries(Object.entries(files).sort(([a], [b]) => compare(a, b)));
}

