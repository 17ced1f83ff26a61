import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments } from "yaml";
import { typeTokenPrefix } from "../conventions";
import { images, kedaVersion } from "../versions";

/**
 * KEDA from the manifests rendered into `keda/` (by `scripts/vendorKeda.ts`, from the pinned
 * Go module's `config/`). Vendored rather than a Helm chart or a download at deploy time: a
 * deploy reaches only the cluster and image registries, and the files are reviewed in the
 * repository like code.
 */

/** KEDA's images as its upstream manifests name them, and the pinned image each becomes. */
const upstreamImages: Record<string, string> = {
    "ghcr.io/kedacore/keda:latest": images.kedaOperator,
    "ghcr.io/kedacore/keda-metrics-apiserver:latest": images.kedaMetricsApiServer,
    "ghcr.io/kedacore/keda-admission-webhooks:latest": images.kedaAdmissionWebhooks,
};

/** The namespace KEDA's manifests install into (its RBAC and APIService name it). */
export const kedaNamespace = "keda";

/** A vendored KEDA manifest file's objects. */
export function kedaManifest(file: "crds.yaml" | "install.yaml"): Record<string, any>[] {
    return parseAllDocuments(readFileSync(path.join(__dirname, "keda", file), "utf8"))
        .map((d) => d.toJS())
        .filter((o) => o);
}

/** The install objects with every image pinned and the version labels set; throws on an image it does not know. */
export function pinnedInstallObjects(objects: Record<string, any>[]): Record<string, any>[] {
    return objects.map((o) => {
        const copy = structuredClone(o);
        if (copy.metadata?.labels?.["app.kubernetes.io/version"] === "latest") {
            copy.metadata.labels["app.kubernetes.io/version"] = kedaVersion;
        }
        for (const c of copy.spec?.template?.spec?.containers ?? []) {
            const pinned = upstreamImages[c.image];
            if (!pinned) {
                throw new Error(`KEDA manifest ${copy.kind}/${copy.metadata.name} runs image ${c.image}, which components/versions.ts does not pin`);
            }
            c.image = pinned;
            c.imagePullPolicy = "IfNotPresent";
        }
        return copy;
    });
}

export interface KedaArgs {
    /** Install only the CustomResourceDefinitions (for a cluster whose KEDA is managed elsewhere, or a test cluster). @default false */
    crdsOnly?: boolean;
}

/**
 * KEDA v2 (pinned in `components/versions.ts`): its CRDs, and unless `crdsOnly`, the `keda`
 * namespace with the operator, the external-metrics API server, the admission webhooks and
 * their RBAC, exactly as KEDA's own `config/` lays them out.
 */
export class Keda extends pulumi.ComponentResource {
    /** The KEDA version installed. */
    public readonly version: pulumi.Output<string>;
    /** Namespace of the operator (`keda`); empty with `crdsOnly`. */
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: KedaArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:Keda`, name, {}, opts);
        const crds = new k8s.yaml.ConfigGroup(`${name}-crds`, { objs: kedaManifest("crds.yaml") }, { parent: this });
        if (!args.crdsOnly) {
            new k8s.yaml.ConfigGroup(`${name}-install`, { objs: pinnedInstallObjects(kedaManifest("install.yaml")) }, { parent: this, dependsOn: [crds] });
        }
        this.version = pulumi.output(kedaVersion);
        this.namespace = pulumi.output(args.crdsOnly ? "" : kedaNamespace);
        this.registerOutputs({ version: this.version, namespace: this.namespace });
    }
}
