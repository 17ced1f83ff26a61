/**
 * What an EKS AL2023 node is told at boot beyond what EKS itself sends: nodeadm's
 * `NodeConfig` (API `node.eks.aws/v1alpha1`), as a part of the launch template's MIME
 * multi-part user data. EKS merges its own part (cluster, CA, endpoint) with this one.
 *
 * `spec.instance.localStorage.strategy: RAID0` makes nodeadm run the AMI's
 * `setup-local-disks raid0` before the kubelet starts: the instance-store NVMe disks become
 * one XFS array mounted at `/mnt/k8s-disks/0`, and the kubelet's and containerd's state move
 * onto it (awslabs/amazon-eks-ami, `templates/shared/runtime/bin/setup-local-disks`). A
 * node-local model cache is a directory on that array, so it survives the pods that use it
 * and is as fast as the instance's NVMe, not its EBS root volume.
 */

/**
 * How nodeadm sets up an instance's local NVMe disks (its `LocalStorageStrategy` enum): one
 * RAID0 array at `/mnt/k8s-disks/0` (what node-local model caches use), a RAID10 array there,
 * or each disk mounted on its own under `/mnt/k8s-disks/`.
 */
export const LocalStorageStrategy = { Raid0: "RAID0", Raid10: "RAID10", Mount: "Mount" } as const;
export type LocalStorageStrategy = (typeof LocalStorageStrategy)[keyof typeof LocalStorageStrategy];

/** MIME boundary of the user data: fixed, so the same group always renders the same bytes. */
const boundary = "MODEL-SERVICES-NODECONFIG";

/** The `NodeConfig` document for a strategy. */
export function nodeConfig(strategy: LocalStorageStrategy): string {
    return ["apiVersion: node.eks.aws/v1alpha1", "kind: NodeConfig", "spec:", "  instance:", "    localStorage:", `      strategy: ${strategy}`, ""].join("\n");
}

/** Launch template user data (before base64): one MIME part of type `application/node.eks.aws`. */
export function nodeUserData(strategy: LocalStorageStrategy): string {
    return [
        "MIME-Version: 1.0",
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        "",
        `--${boundary}`,
        "Content-Type: application/node.eks.aws",
        "",
        nodeConfig(strategy),
        `--${boundary}--`,
        "",
    ].join("\n");
}
