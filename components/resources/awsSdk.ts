import type * as Aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * @pulumi/aws, loaded when the first AWS resource is created. It is an optional peer
 * dependency of the package: programs on kubeconfig clusters (and the component package
 * other languages use) need neither the SDK nor its provider plugin.
 */
export function awsSdk(): typeof Aws {
    try {
        return require("@pulumi/aws") as typeof Aws;
    } catch (error) {
        throw new pulumi.RunError(
            `EKS clusters, EKS node groups and AWS Secrets Manager need @pulumi/aws, which is not installed (${(error as Error).message}). Install it: npm install @pulumi/aws`,
        );
    }
}
