import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { typeTokenPrefix } from "../conventions";

export interface SharedModelCacheArgs {
    namespace: pulumi.Input<string>;
    /** Name of the PersistentVolumeClaim. */
    claimName: string;
    /** A ReadWriteMany StorageClass (EFS, FSx for Lustre, NFS, …). */
    storageClass: string;
    /** Requested size, GiB. */
    sizeGiB: number;
    /** @default {} */
    labels?: Record<string, string>;
}

/**
 * A model cache shared by every pod of its scope (a node group or a service): one
 * ReadWriteMany volume, written only by the preload Jobs and mounted read-only by the
 * serving pods.
 */
export class SharedModelCache extends pulumi.ComponentResource {
    /** The PersistentVolumeClaim to mount. */
    public readonly claimName: pulumi.Output<string>;

    constructor(name: string, args: SharedModelCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:SharedModelCache`, name, {}, opts);
        const claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-claim`,
            {
                metadata: { name: args.claimName, namespace: args.namespace, labels: args.labels },
                spec: { accessModes: ["ReadWriteMany"], storageClassName: args.storageClass, resources: { requests: { storage: `${args.sizeGiB}Gi` } } },
            },
            { parent: this },
        );
        this.claimName = claim.metadata.name;
        this.registerOutputs({ claimName: this.claimName });
    }
}
