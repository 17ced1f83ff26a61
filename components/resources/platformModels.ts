import * as pulumi from "@pulumi/pulumi";
import { ModelSourceKind } from "../config/modelSource";
import { ModelCacheKind, S3AccessMode } from "../config/rules";
import { serviceObjectName } from "../conventions";
import { S3Prefix } from "../plan/s3Access";
import { PlatformPlan, ServicePlan } from "../plan/types";
import { awsSdk } from "./awsSdk";
import { ServedAdapterArgs, ModelServiceArgs } from "./modelService";
import { S3ModelReader } from "./s3ModelReader";
import { SharedModelCache } from "./sharedModelCache";

/**
 * The model-storage side of a platform: one shared cache volume per cache scope, S3 read
 * access per service (EKS Pod Identity) and the `ModelService` args that follow from them.
 * Children of the platform component.
 */
export interface PlatformModelsArgs {
    plan: PlatformPlan;
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    /** The EKS cluster's name, for Pod Identity associations and the agent add-on. */
    eksClusterName?: pulumi.Input<string>;
    /** The cluster's Pod Identity agent add-on, when the stack already made it (a created `EksCluster`); else one is installed. */
    podIdentityAgent?: pulumi.Resource[];
}

/** The shared cache claim of a scope: `node-group/gpu-l4` → `model-cache-gpu-l4`, `service/chat` → `model-cache-svc-chat`. */
export function sharedCacheClaimName(scope: string): string {
    const [kind, name] = scope.split("/");
    return kind === "service" ? `model-cache-svc-${name}` : `model-cache-${name}`;
}

/** S3 prefixes a base service reads: its model's and its adapters'. */
export function s3PrefixesOf(service: ServicePlan, adapters: readonly ServicePlan[]): S3Prefix[] {
    return [service.source, ...adapters.map((a) => a.adapter)]
        .filter((s) => s?.kind === ModelSourceKind.S3)
        .map((s) => ({ bucket: s!.bucket ?? "", prefix: s!.prefix ?? "" }));
}

/** Builds the caches and S3 access, and returns each base service's model args. */
export function platformModels(name: string, args: PlatformModelsArgs, opts: pulumi.ComponentResourceOptions): (service: ServicePlan) => Partial<ModelServiceArgs> {
    const { plan } = args;
    const bases = plan.services.filter((s) => s.base === undefined);
    const claims = new Map<string, pulumi.Output<string>>();
    for (const service of bases.filter((s) => s.modelCache.kind === ModelCacheKind.Shared)) {
        const scope = service.modelCache.scope;
        if (!claims.has(scope)) {
            const claimName = sharedCacheClaimName(scope);
            const cache = new SharedModelCache(
                `${name}-${claimName}`,
                { namespace: args.namespace, claimName, storageClass: service.modelCache.storageClass ?? "", sizeGiB: service.modelCache.sizeGiB, labels: args.labels },
                opts,
            );
            claims.set(scope, cache.claimName);
        }
    }
    const podIdentity = plan.modelAccess.s3?.mode === S3AccessMode.PodIdentity && args.eksClusterName !== undefined;
    const readers = new Map<string, pulumi.Output<string>>();
    if (podIdentity) {
        const agent = args.podIdentityAgent ?? [new (awsSdk().eks.Addon)(`${name}-pod-identity-agent`, { clusterName: args.eksClusterName!, addonName: "eks-pod-identity-agent" }, opts)];
        for (const service of bases) {
            const prefixes = s3PrefixesOf(service, plan.services.filter((a) => a.base === service.name));
            if (prefixes.length > 0) {
                const reader = new S3ModelReader(
                    `${name}-${service.name}-s3`,
                    { namespace: args.namespace, serviceAccountName: serviceObjectName(service.name), clusterName: args.eksClusterName!, prefixes, labels: args.labels },
                    { ...opts, dependsOn: agent },
                );
                readers.set(service.name, reader.serviceAccountName);
            }
        }
    }
    const secret = plan.modelAccess.s3?.mode === S3AccessMode.Secret ? plan.modelAccess.s3.secretName : undefined;
    return (service) => {
        const adapters = plan.services.filter((a) => a.base === service.name && a.adapter);
        const readsS3 = s3PrefixesOf(service, adapters).length > 0;
        return {
            source: service.source,
            revision: service.revision,
            adapters: adapters.map((a): ServedAdapterArgs => ({ accessName: a.accessName, source: a.adapter!, revision: a.revision, rank: a.rank ?? 0 })),
            maxLoraRank: service.maxLoraRank,
            modelCache: {
                kind: service.modelCache.kind,
                sizeGiB: service.modelCache.sizeGiB,
                hostPath: service.modelCache.hostPath,
                claimName: claims.get(service.modelCache.scope),
            },
            startupSeconds: service.startup.budgetSeconds,
            preloadSeconds: service.startup.preloadBudgetSeconds,
            serviceAccountName: readers.get(service.name),
            awsCredentialsSecret: readsS3 ? secret : undefined,
        };
    };
}
