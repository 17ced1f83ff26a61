import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { partOfTag, typeTokenPrefix } from "../conventions";
import { podIdentityTrustPolicy, S3Prefix, s3ReadPolicy } from "../plan/s3Access";
import { awsSdk } from "./awsSdk";

export interface S3ModelReaderArgs {
    /** Namespace of the ServiceAccount. */
    namespace: pulumi.Input<string>;
    /** Name of the ServiceAccount the service's pods and preload Job run as. */
    serviceAccountName: string;
    /** EKS cluster the Pod Identity association belongs to. */
    clusterName: pulumi.Input<string>;
    /** The prefixes the pods may read. */
    prefixes: S3Prefix[];
    /** Labels of the ServiceAccount. @default {} */
    labels?: pulumi.Input<Record<string, string>>;
}

/**
 * Read access to a service's `s3://` sources through EKS Pod Identity: a ServiceAccount, an
 * IAM role only pods can assume, a policy for exactly those prefixes, and the association
 * that hands the role to the ServiceAccount's pods. The cluster needs the
 * `eks-pod-identity-agent` add-on (a created `EksCluster` has it; `ModelPlatform` installs it on an existing one).
 */
export class S3ModelReader extends pulumi.ComponentResource {
    /** The ServiceAccount to run the pods as. */
    public readonly serviceAccountName: pulumi.Output<string>;
    /** ARN of the IAM role. */
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: S3ModelReaderArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:S3ModelReader`, name, {}, opts);
        const aws = awsSdk();
        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: { name: args.serviceAccountName, namespace: args.namespace, labels: args.labels } }, { parent: this });
        const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy), tags: { ...partOfTag } }, { parent: this });
        new aws.iam.RolePolicy(`${name}-read`, { role: role.name, policy: JSON.stringify(s3ReadPolicy(args.prefixes)) }, { parent: this });
        new aws.eks.PodIdentityAssociation(
            `${name}-association`,
            { clusterName: args.clusterName, namespace: account.metadata.namespace, serviceAccount: account.metadata.name, roleArn: role.arn, tags: { ...partOfTag } },
            { parent: this },
        );
        this.serviceAccountName = account.metadata.name;
        this.roleArn = role.arn;
        this.registerOutputs({ serviceAccountName: this.serviceAccountName, roleArn: this.roleArn });
    }
}
