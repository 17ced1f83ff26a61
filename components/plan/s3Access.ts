/**
 * Read access to `s3://bucket/prefix` model sources, as IAM policy documents: objects under
 * exactly the prefixes a stack names, and listing of those prefixes only (the Run:ai
 * streamer and the preload step list before they read).
 */

/** One readable prefix. */
export interface S3Prefix {
    bucket: string;
    /** Key prefix without leading or trailing '/'. */
    prefix: string;
}

/** The IAM policy that reads exactly `prefixes`; sorted, so the same prefixes give the same document. */
export function s3ReadPolicy(prefixes: readonly S3Prefix[]): Record<string, unknown> {
    const unique = [...new Map(prefixes.map((p) => [`${p.bucket}/${p.prefix}`, p])).values()].sort((a, b) => (`${a.bucket}/${a.prefix}` < `${b.bucket}/${b.prefix}` ? -1 : 1));
    const buckets = [...new Set(unique.map((p) => p.bucket))];
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ReadModelObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: unique.map((p) => `arn:aws:s3:::${p.bucket}/${p.prefix}/*`) },
            ...buckets.map((bucket, i) => ({
                Sid: `ListModelPrefixes${i}`,
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: `arn:aws:s3:::${bucket}`,
                Condition: { StringLike: { "s3:prefix": unique.filter((p) => p.bucket === bucket).flatMap((p) => [p.prefix, `${p.prefix}/*`]) } },
            })),
        ],
    };
}

/** Trust policy of a role that EKS Pod Identity hands to pods (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html). */
export const podIdentityTrustPolicy = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
} as const;
